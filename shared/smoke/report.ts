import { JUnitCase, junitXml } from '../report/junit';
import { formatDuration, mdCell, mdTable } from '../report/markdown';
import { thresholdText } from './gate';
import { CHECK_TITLES, CheckName, Counts, DeviceResult, GateVerdict, PassRule } from './types';

export interface RollbackOutcome {
  ok: boolean;
  message: string;
  restoredId?: string;
}

/** Everything a smoke test run found; the task, the CLI and the evidence files render it. */
export interface SmokeReport {
  deploymentId: string;
  hostName: string;
  startedAt: string;
  durationMs: number;
  polls: number;
  /** Hub requests (retries included) and retries. */
  requests: number;
  retries: number;
  timedOut: boolean;
  devices: DeviceResult[];
  counts: Counts;
  rule: PassRule;
  verdict: GateVerdict;
  rollback?: RollbackOutcome;
}

export function ruleText(r: PassRule): string {
  const parts = [`at least ${thresholdText(r.threshold)} pass`];
  if (r.maxFailures !== undefined) parts.push(`at most ${r.maxFailures} failure(s)`);
  parts.push(`at least ${Math.max(1, r.minDevices)} device(s)`);
  parts.push(r.offline === 'exclude' ? 'offline devices excluded' : 'offline devices count as failures');
  return parts.join(', ');
}

/** JUnit for PublishTestResults: one test case per device and check; the failure text carries the reported status. */
export function smokeJUnit(r: SmokeReport): string {
  const cases: JUnitCase[] = [];
  for (const d of r.devices) {
    for (const c of d.checks) {
      const tc: JUnitCase = { classname: d.deviceId, name: CHECK_TITLES[c.name] };
      if (c.skipped !== undefined) {
        // An offline device excluded from the rule is not a failure; counted, its connection check fails.
        tc.skipped = c.skipped;
      } else if (!c.ok) {
        if (d.state === 'offline' && r.rule.offline === 'exclude') tc.skipped = `${c.message} (excluded from the pass rule)`;
        else tc.failure = { message: c.message ?? 'failed', details: `${c.message ?? ''}\nreported: ${c.details ?? '{}'}` };
      }
      cases.push(tc);
    }
  }
  return junitXml([{
    name: `IoT Edge smoke test ${r.deploymentId}`, timestamp: r.startedAt.replace(/\.\d+Z$/, ''), cases,
    properties: { deployment: r.deploymentId, hub: r.hostName, verdict: r.verdict.passed ? 'passed' : 'failed', rule: ruleText(r.rule) },
  }]);
}

function firstFailing(d: DeviceResult): CheckName | undefined {
  return d.checks.find((c) => !c.ok && !c.skipped)?.name;
}

const MAX_ROWS = 50;

/** Markdown for the run summary: verdict, counts, failures by check, failing devices. */
export function smokeMarkdown(r: SmokeReport): string {
  const c = r.counts;
  const out: string[] = [];
  out.push(`## IoT Edge smoke test: ${mdCell(r.deploymentId)} — ${r.verdict.passed ? 'PASSED' : 'FAILED'}`, '');
  out.push(`Hub \`${r.hostName}\`. Rule: ${ruleText(r.rule)}.${r.timedOut ? ' Stopped at the timeout.' : ''}`, '');
  out.push(mdTable(['Targeted', 'Passed', 'Failed', 'Offline', 'Pass rate', 'Duration', 'Polls', 'Hub requests'],
    [[c.targeted, c.passed, c.failed, c.offline, `${r.verdict.passPercent.toFixed(1)}%`, formatDuration(r.durationMs), r.polls, `${r.requests}${r.retries ? ` (${r.retries} retries)` : ''}`]]));
  if (r.verdict.reasons.length) out.push('', '**Why the gate failed**', '', ...r.verdict.reasons.map((x) => `- ${x}`));
  const bad = r.devices.filter((d) => d.state !== 'passed');
  if (bad.length) {
    const byCheck = new Map<string, number>();
    for (const d of bad) { const k = d.state === 'offline' ? 'offline' : CHECK_TITLES[firstFailing(d) ?? 'modulesOnline']; byCheck.set(k, (byCheck.get(k) ?? 0) + 1); }
    out.push('', '### Failures by check', '', mdTable(['Check', 'Devices'], [...byCheck.entries()].sort((a, b) => b[1] - a[1])));
    const rows = bad.slice(0, MAX_ROWS).map((d) => [d.deviceId, d.state, d.state === 'offline' ? 'connected' : CHECK_TITLES[firstFailing(d) ?? 'modulesOnline'], d.reason ?? '']);
    out.push('', `### Devices that did not pass${bad.length > MAX_ROWS ? ` (first ${MAX_ROWS} of ${bad.length}; all are in the JUnit results)` : ''}`, '', mdTable(['Device', 'State', 'Check', 'Reason'], rows));
  }
  if (r.rollback) out.push('', '### Rollback', '', `${r.rollback.ok ? '' : '**Rollback failed:** '}${r.rollback.message}`);
  return out.join('\n') + '\n';
}
