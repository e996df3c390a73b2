import { statusOf } from '../core/retry';
import { hubMessage } from '../deploy/hub';
import { ExpectedModule } from './expected';
import { SmokeHub } from './hub';
import { CheckResult } from './types';

/** Runs `fn` over items with at most `limit` in flight. */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < items.length) await fn(items[next++]); };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function methodError(err: unknown): string {
  const s = statusOf(err);
  return `${s ? `${s} ` : ''}${hubMessage(err).split('\n')[0]}`;
}

/** Invokes a direct method; 2xx from the module is success, anything else is the failure text. */
export async function callMethod(hub: SmokeHub, deviceId: string, moduleId: string, method: string, timeoutSeconds: number): Promise<{ ok: boolean; message?: string }> {
  try {
    const r = await hub.invokeMethod(deviceId, moduleId, method, null, timeoutSeconds);
    return r.status >= 200 && r.status < 300 ? { ok: true } : { ok: false, message: `${moduleId}.${method} answered ${r.status}${r.payload !== undefined && r.payload !== null ? `: ${JSON.stringify(r.payload).slice(0, 200)}` : ''}` };
  } catch (err) {
    return { ok: false, message: `${moduleId}.${method}: ${methodError(err)}` };
  }
}

/** Telemetry seen per device/module since a time (one request for the whole fleet). */
export interface TelemetrySource {
  countsSince(since: string): Promise<{ deviceId: string; moduleId?: string; countSince: number }[]>;
}

/** The telemetry check for one device: every running user module sent something since the deployment. */
export function telemetryCheck(deviceId: string, expected: ExpectedModule[], seen: Set<string>, since: string): CheckResult {
  const silent = expected.filter((m) => !m.system && m.runtimeStatus === 'running' && !seen.has(`${deviceId}/${m.name}`)).map((m) => m.name);
  return silent.length
    ? { name: 'telemetry', ok: false, message: `no telemetry since ${since} from ${silent.join(', ')}` }
    : { name: 'telemetry', ok: true };
}
