import { ExpectedModule } from './expected';
import { imageMatches } from './image';
import { AgentRow, DeviceRow, ReportedModule } from './rows';
import { RestartTracker } from './stability';
import { CheckResult, DeviceResult } from './types';

export interface EvalContext {
  deploymentId: string;
  expected: ExpectedModule[];
  now: number;
  tracker: RestartTracker;
  stabilityMs: number;
  /** lastActivityTime must be at most this old; 0 = not checked. */
  activityWindowMs: number;
  /** $edgeAgent ping results when the ping is on (absent device = not pinged yet). */
  pings?: Map<string, { ok: boolean; message?: string }>;
  /** Optional checks computed elsewhere (telemetry, health methods) per device. */
  extras?: Map<string, CheckResult[]>;
  /** Names of the optional checks, so devices that did not get that far show them as skipped. */
  extraNames?: CheckResult['name'][];
}

const NEVER = /^0001-01-01/;

/** 30000 → "30 s", 400 → "0.4 s" */
const secs = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

function ago(iso: string | undefined, now: number): string {
  if (!iso || NEVER.test(iso)) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : iso;
}

function lastActivity(d: DeviceRow, a: AgentRow | undefined): string | undefined {
  const times = [d.lastActivityTime, a?.lastActivityTime].filter((t): t is string => !!t && !NEVER.test(t) && !Number.isNaN(Date.parse(t)));
  return times.sort((x, y) => Date.parse(y) - Date.parse(x))[0];
}

function moduleStatusText(m: ReportedModule): string {
  return `runtimeStatus ${m.runtimeStatus ?? 'unknown'}${m.exitCode !== undefined && m.exitCode !== 0 ? ` (exit code ${m.exitCode})` : ''}${m.statusDescription ? `: ${m.statusDescription}` : ''}`;
}

function checkModules(ctx: EvalContext, deviceId: string, agent: AgentRow): CheckResult {
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  const rep = agent.reported ?? {};
  for (const e of ctx.expected) {
    const m = (e.system ? rep.systemModules?.[e.name] ?? rep.modules?.[e.name] : rep.modules?.[e.name]) as ReportedModule | undefined;
    details[e.name] = m ? { runtimeStatus: m.runtimeStatus, restartCount: m.restartCount, exitCode: m.exitCode, statusDescription: m.statusDescription, image: m.settings?.image } : null;
    if (!m) { problems.push(`${e.name}: not reported by $edgeAgent (not created — image not pulled?)`); continue; }
    if (m.runtimeStatus !== e.runtimeStatus) { problems.push(`${e.name}: ${moduleStatusText(m)}, expected ${e.runtimeStatus}`); continue; }
    if (e.image && !imageMatches(e.image, m.settings?.image)) { problems.push(`${e.name}: runs ${m.settings?.image ?? 'no image'}, expected ${e.image}`); continue; }
    if (e.runtimeStatus !== 'running') continue;
    const st = ctx.tracker.observe(`${deviceId}/${e.name}`, m.restartCount, ctx.now);
    if (st.rose) problems.push(`${e.name}: restartCount rose from ${st.rose.from} to ${st.rose.to} within the ${secs(ctx.stabilityMs)} stability window (flapping)`);
    else if (!ctx.tracker.isStable(st)) problems.push(`${e.name}: restartCount ${st.count} flat for ${secs(st.stableForMs)} of the ${secs(ctx.stabilityMs)} stability window`);
  }
  return problems.length
    ? { name: 'modulesOnline', ok: false, message: problems.join('; '), details: JSON.stringify(details) }
    : { name: 'modulesOnline', ok: true };
}

/**
 * One device's verdict from the rows of the two queries. Checks run in order; once one fails the
 * later ones are skipped (their state would only repeat the first problem).
 */
export function evaluateDevice(ctx: EvalContext, d: DeviceRow, agent: AgentRow | undefined): DeviceResult {
  const checks: CheckResult[] = [];
  const skipRest = (why: string) => {
    const names: CheckResult['name'][] = ['available', 'connected', 'manifestApplied', 'modulesOnline', ...(ctx.extraNames ?? [])];
    for (const n of names) if (!checks.some((c) => c.name === n)) checks.push({ name: n, ok: false, skipped: why });
  };
  const result = (state: DeviceResult['state']): DeviceResult => {
    const first = checks.find((c) => !c.ok && !c.skipped);
    return { deviceId: d.deviceId, state, checks, reason: first?.message };
  };

  // 1. available
  let unavailable: string | undefined;
  if (!d.exists) unavailable = 'device identity does not exist';
  else if (d.iotEdge === false) unavailable = 'not an IoT Edge device';
  else if (d.status !== undefined && d.status !== 'enabled') unavailable = `identity is ${d.status}${d.statusReason ? ` (${d.statusReason})` : ''}`;
  checks.push(unavailable ? { name: 'available', ok: false, message: unavailable, details: JSON.stringify({ exists: d.exists, status: d.status, iotEdge: d.iotEdge }) } : { name: 'available', ok: true });
  if (unavailable) { skipRest('identity not available'); return result('failed'); }

  // 2. connected (the device identity or its $edgeAgent; edge devices show either depending on the runtime)
  const connected = d.connectionState === 'Connected' || agent?.connectionState === 'Connected';
  const reportedCurrent = agent?.desiredVersion !== undefined && agent.reported?.lastDesiredVersion === agent.desiredVersion;
  const last = lastActivity(d, agent);
  const connDetails = JSON.stringify({ connectionState: d.connectionState, edgeAgentConnectionState: agent?.connectionState, lastActivityTime: last });
  if (!connected) {
    if (!reportedCurrent) {
      checks.push({ name: 'connected', ok: false, message: `offline: ${d.connectionState ?? 'Disconnected'} (last activity ${ago(last, ctx.now)}), never reported deployment ${ctx.deploymentId}`, details: connDetails });
      skipRest('device offline');
      return result('offline');
    }
    checks.push({ name: 'connected', ok: false, message: `${d.connectionState ?? 'Disconnected'} (last activity ${ago(last, ctx.now)}) after applying the deployment`, details: connDetails });
    skipRest('device not connected');
    return result('failed');
  }
  if (ctx.activityWindowMs > 0 && (!last || ctx.now - Date.parse(last) > ctx.activityWindowMs)) {
    checks.push({ name: 'connected', ok: false, message: `Connected, but last activity ${ago(last, ctx.now)} (more than ${secs(ctx.activityWindowMs)})`, details: connDetails });
    skipRest('device not active');
    return result('failed');
  }
  if (ctx.pings) {
    const p = ctx.pings.get(d.deviceId);
    if (!p || !p.ok) {
      checks.push({ name: 'connected', ok: false, message: `$edgeAgent ping ${p ? `failed: ${p.message}` : 'not answered yet'}`, details: connDetails });
      skipRest('$edgeAgent not answering');
      return result('failed');
    }
  }
  checks.push({ name: 'connected', ok: true });

  // 3. manifest applied
  const status = agent?.reported?.lastDesiredStatus;
  const statusText = status && status.code !== undefined && status.code !== 200 ? `; lastDesiredStatus ${status.code}${status.description ? `: ${status.description}` : ''}` : '';
  const manDetails = JSON.stringify({ configurationStatus: d.configStatus, desiredVersion: agent?.desiredVersion, lastDesiredVersion: agent?.reported?.lastDesiredVersion, lastDesiredStatus: status });
  let notApplied: string | undefined;
  if (d.configStatus !== 'Applied') {
    notApplied = d.configStatus === 'Targeted'
      ? `deployment ${ctx.deploymentId} is Targeted, not Applied (a deployment with higher priority wins on this device)`
      : `deployment ${ctx.deploymentId} is not applied to this device (configurations status ${d.configStatus ?? 'absent'})`;
  } else if (!agent) {
    notApplied = `the $edgeAgent twin does not show deployment ${ctx.deploymentId} as Applied yet`;
  } else if (!reportedCurrent) {
    notApplied = `$edgeAgent has not applied desired version ${agent.desiredVersion ?? '?'} (reported lastDesiredVersion ${agent.reported?.lastDesiredVersion ?? 'none'}: old manifest still applied)${statusText}`;
  } else if (status?.code !== 200) {
    notApplied = status?.code === undefined ? '$edgeAgent reported no lastDesiredStatus' : `lastDesiredStatus ${status.code}${status.description ? `: ${status.description}` : ''}`;
  }
  checks.push(notApplied ? { name: 'manifestApplied', ok: false, message: notApplied, details: manDetails } : { name: 'manifestApplied', ok: true });
  if (notApplied) { skipRest('manifest not applied'); return result('failed'); }

  // 4. modules online and stable
  const mods = checkModules(ctx, d.deviceId, agent!);
  checks.push(mods);
  if (!mods.ok) { skipRest('modules not online'); return result('failed'); }

  // Optional checks
  for (const c of ctx.extras?.get(d.deviceId) ?? []) checks.push(c);
  skipRest('not run yet');
  return result(checks.every((c) => c.ok) ? 'passed' : 'failed');
}
