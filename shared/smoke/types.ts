/** Shapes shared by the smoke test: checks, per-device results, the pass rule and the run's report. */

export type CheckName = 'available' | 'connected' | 'manifestApplied' | 'modulesOnline' | 'telemetry' | 'healthMethods';

export const CHECK_TITLES: Record<CheckName, string> = {
  available: 'identity available',
  connected: 'connected',
  manifestApplied: 'manifest applied',
  modulesOnline: 'modules online',
  telemetry: 'telemetry since deployment',
  healthMethods: 'health direct methods',
};

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  /** Why the check failed, in one line (shown in the summary and as the JUnit failure message). */
  message?: string;
  /** The reported status behind the verdict (JUnit failure text). */
  details?: string;
  /** Not evaluated, and why (an earlier check failed, the device is offline). */
  skipped?: string;
}

/** passed: every check ok; offline: never reported this deployment and not connected; failed: anything else. */
export type DeviceState = 'passed' | 'failed' | 'offline';

export interface DeviceResult {
  deviceId: string;
  state: DeviceState;
  checks: CheckResult[];
  /** First failing check's message. */
  reason?: string;
}

export type Threshold = { kind: 'percent'; value: number } | { kind: 'count'; value: number };

export interface PassRule {
  threshold: Threshold;
  /** At most this many failures (offline ones included when offline = 'fail'). */
  maxFailures?: number;
  /** Fewer devices than this (after excluding offline ones, if so) fails the gate. */
  minDevices: number;
  /** Offline devices count as failures, or leave the denominator. */
  offline: 'fail' | 'exclude';
}

export interface Counts {
  targeted: number;
  passed: number;
  failed: number;
  offline: number;
}

export interface GateVerdict {
  passed: boolean;
  /** Why the gate failed (empty when it passed). */
  reasons: string[];
  /** Devices the rule is computed over. */
  denominator: number;
  failures: number;
  /** passed / denominator in percent (0 when there is no denominator). */
  passPercent: number;
}
