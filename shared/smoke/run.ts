import { EdgeOpsError, InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { defaultSleep } from '../core/retry';
import { DeployHub } from '../deploy/hub';
import { rollbackDeployment } from '../deploy/rollback';
import { evaluateDevice, EvalContext } from './evaluate';
import { expectedModules } from './expected';
import { evaluateGate } from './gate';
import { SmokeHub } from './hub';
import { callMethod, eachLimited, TelemetrySource, telemetryCheck } from './probes';
import { snapshot } from './queries';
import { RollbackOutcome, SmokeReport } from './report';
import { RestartTracker } from './stability';
import { CheckName, CheckResult, Counts, DeviceResult, PassRule } from './types';

export interface SmokeOptions {
  hub: SmokeHub;
  logger: Logger;
  deploymentId: string;
  /** Check these devices instead of the ones the deployment's target condition selects. */
  deviceIds?: string[];
  timeoutMs: number;
  /** Time between polls (default 10 s). */
  pollIntervalMs?: number;
  /** restartCount must stay flat this long (default 30 s). */
  stabilityMs?: number;
  /** lastActivityTime at most this old; 0 (default) = not checked. */
  activityWindowMs?: number;
  /** Ping $edgeAgent on every connected device (one direct method per device). */
  ping?: boolean;
  /** Module → direct method that must answer 2xx on every device. */
  moduleMethods?: Record<string, string>;
  methodTimeoutSeconds?: number;
  /** Every running user module must have sent telemetry since the deployment was created. */
  telemetry?: TelemetrySource;
  rule: PassRule;
  /** Roll the deployment back through the deploy library when the gate fails. */
  rollback?: { hub: DeployHub; mode?: 'remove' | 'retarget' };
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

function count(devices: DeviceResult[]): Counts {
  const c: Counts = { targeted: devices.length, passed: 0, failed: 0, offline: 0 };
  for (const d of devices) c[d.state]++;
  return c;
}

const n = (x: number) => x.toLocaleString('en-US');

/**
 * The promotion gate: polls the hub until every targeted device passes or the timeout, then
 * applies the pass rule, and rolls back when asked and the gate failed.
 */
export async function runSmokeTest(o: SmokeOptions): Promise<SmokeReport> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const started = now();
  const deployment = await o.hub.getDeployment(o.deploymentId);
  if (!deployment) {
    throw new InputError(`Deployment ${o.deploymentId} does not exist on ${o.hub.hostName}.`, { field: 'deploymentId' }, 'Pass the DEPLOYMENT_ID output of the deploy step (deployment ids are lowercase).');
  }
  const condition = deployment.targetCondition?.trim();
  if (!o.deviceIds?.length && !condition) {
    throw new InputError(`Deployment ${o.deploymentId} has no target condition; give the devices to check as a device list.`, { field: 'deviceIds' });
  }
  const target = o.deviceIds?.length ? { deviceIds: [...new Set(o.deviceIds.map((d) => d.trim()).filter(Boolean))] } : { condition: condition! };
  const expected = expectedModules(deployment);
  const stabilityMs = o.stabilityMs ?? 30_000;
  const tracker = new RestartTracker(stabilityMs);
  const interval = Math.max(10, o.pollIntervalMs ?? 10_000);
  const since = deployment.createdTimeUtc ?? new Date(started).toISOString();
  const extraNames: CheckName[] = [...(o.telemetry ? ['telemetry' as const] : []), ...(o.moduleMethods && Object.keys(o.moduleMethods).length ? ['healthMethods' as const] : [])];
  const pings = o.ping ? new Map<string, { ok: boolean; message?: string }>() : undefined;
  const methodsOk = new Map<string, CheckResult>();
  o.logger.info(`Smoke test of ${o.deploymentId} on ${o.hub.hostName}: ${'condition' in target ? `target condition ${target.condition}` : `${target.deviceIds.length} listed device(s)`}; modules ${expected.map((m) => `${m.name}${m.image ? `=${m.image}` : ''}`).join(', ')}.`);

  let devices: DeviceResult[] = [];
  let polls = 0;
  let timedOut = false;
  for (;;) {
    polls++;
    const snap = await snapshot(o.hub, o.deploymentId, target);
    const t = now();
    const connected = snap.devices.filter((d) => d.exists && (d.connectionState === 'Connected' || snap.agents.get(d.deviceId)?.connectionState === 'Connected'));
    if (pings) {
      await eachLimited(connected.filter((d) => !pings.get(d.deviceId)?.ok), 16, async (d) => {
        pings.set(d.deviceId, await callMethod(o.hub, d.deviceId, '$edgeAgent', 'ping', o.methodTimeoutSeconds ?? 10));
      });
    }
    const ctx: EvalContext = { deploymentId: o.deploymentId, expected, now: t, tracker, stabilityMs, activityWindowMs: o.activityWindowMs ?? 0, pings, extraNames };
    devices = snap.devices.map((d) => evaluateDevice(ctx, d, snap.agents.get(d.deviceId)));
    if (extraNames.length) {
      // Optional checks only for devices whose core checks pass: everything else already failed.
      const ready = devices.filter((d) => d.checks.every((c) => c.ok || c.skipped === 'not run yet'));
      const extras = new Map<string, CheckResult[]>();
      const seen = new Set<string>();
      if (o.telemetry && ready.length) for (const r of await o.telemetry.countsSince(since)) if (r.countSince > 0 && r.moduleId) seen.add(`${r.deviceId}/${r.moduleId}`);
      await eachLimited(ready, 16, async (d) => {
        const list: CheckResult[] = [];
        if (o.telemetry) list.push(telemetryCheck(d.deviceId, expected, seen, since));
        if (extraNames.includes('healthMethods')) {
          let res = methodsOk.get(d.deviceId);
          if (!res) {
            const problems: string[] = [];
            for (const [mod, method] of Object.entries(o.moduleMethods!)) {
              const r = await callMethod(o.hub, d.deviceId, mod, method, o.methodTimeoutSeconds ?? 10);
              if (!r.ok) problems.push(r.message!);
            }
            res = problems.length ? { name: 'healthMethods', ok: false, message: problems.join('; ') } : { name: 'healthMethods', ok: true };
            if (res.ok) methodsOk.set(d.deviceId, res);
          }
          list.push(res);
        }
        extras.set(d.deviceId, list);
      });
      // Observing the same restart count twice in one poll changes nothing, so re-evaluating is safe.
      ctx.extras = extras;
      const ids = new Set(ready.map((d) => d.deviceId));
      devices = snap.devices.map((d) => (ids.has(d.deviceId) ? evaluateDevice(ctx, d, snap.agents.get(d.deviceId)) : devices.find((x) => x.deviceId === d.deviceId)!));
    }
    const c = count(devices);
    const left = Math.max(0, started + o.timeoutMs - now());
    o.logger.info(`smoke ${o.deploymentId}: poll ${polls} at ${Math.round((now() - started) / 1000)} s — ${n(c.passed)} passed, ${n(c.failed)} not passing, ${n(c.offline)} offline of ${n(c.targeted)}; ${o.hub.stats.requests} hub requests; ${Math.round(left / 1000)} s left`);
    if (c.targeted > 0 && c.passed === c.targeted) break;
    if (left <= 0) { timedOut = true; break; }
    await sleep(Math.min(interval, left));
  }

  const counts = count(devices);
  const verdict = evaluateGate(counts, o.rule);
  let rollback: RollbackOutcome | undefined;
  if (!verdict.passed && o.rollback) rollback = await doRollback(o);
  const report: SmokeReport = {
    deploymentId: o.deploymentId, hostName: o.hub.hostName, startedAt: new Date(started).toISOString(), durationMs: now() - started, polls,
    requests: o.hub.stats.requests, retries: o.hub.stats.retries, timedOut, devices, counts, rule: o.rule, verdict, rollback,
  };
  o.logger.info(`smoke ${o.deploymentId}: ${verdict.passed ? 'PASSED' : 'FAILED'} — ${counts.passed} passed, ${counts.failed} failed, ${counts.offline} offline of ${counts.targeted}${verdict.reasons.length ? `: ${verdict.reasons.join('; ')}` : ''}`);
  return report;
}

async function doRollback(o: SmokeOptions): Promise<RollbackOutcome> {
  o.logger.warn(`The smoke test of ${o.deploymentId} failed: rolling it back.`);
  try {
    const r = await rollbackDeployment({ hub: o.rollback!.hub, logger: o.logger, id: o.deploymentId, mode: o.rollback!.mode });
    return { ok: true, restoredId: r.restored?.id, message: r.messages.join(' ') || `Rollback of ${o.deploymentId}: ${r.action}.` };
  } catch (err) {
    const msg = err instanceof EdgeOpsError ? err.message : (err as Error).message;
    o.logger.error(`Rollback of ${o.deploymentId} failed: ${msg}`);
    return { ok: false, message: msg };
  }
}
