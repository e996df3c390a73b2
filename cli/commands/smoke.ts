import * as os from 'os';
import * as path from 'path';
import { Command, CliContext, parseOptions, requireOption } from '../command';
import { InputError } from '../../shared/core/errors';
import { createHubClients } from '../../shared/hub';
import { registryHub } from '../../shared/deploy';
import { emulatorTelemetry, parseThreshold, registrySmokeHub, runSmokeWithEvidence } from '../../shared/smoke';

function seconds(v: string | undefined, name: string, def: number): number {
  if (v === undefined) return def * 1000;
  if (!/^\d+(\.\d+)?$/.test(v.trim())) throw new InputError(`--${name} must be a number of seconds, got '${v}'`);
  return Math.round(Number(v) * 1000);
}

function count(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new InputError(`--${name} must be a whole number, got '${v}'`);
  return Number(v);
}

function methods(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const m = /^([^=\s]+)=([^=\s]+)$/.exec(item.trim());
    if (!m) throw new InputError(`--module-method expects module=method, got '${item}'`);
    out[m[1]] = m[2];
  }
  return out;
}

export const smokeCommand: Command = {
  path: ['smoke'],
  summary: 'Smoke-test a deployment: devices available, connected, manifest applied, modules running (the promotion gate)',
  usage: 'edgeops smoke (--hub <cs> | --hub-info <file>) --deployment <id> [--timeout S] [--threshold P|N] [--max-failures N] [--min-devices N] '
    + '[--offline fail|exclude] [--device <id>...] [--stability S] [--interval S] [--activity-window S] [--ping] [--module-method m=method...] [--telemetry] '
    + '[--junit <file>] [--summary-dir DIR] [--rollback [--retarget]]',
  async run(ctx: CliContext) {
    const { values: v } = parseOptions(this, ctx.argv, {
      hub: { type: 'string' }, 'hub-info': { type: 'string' }, ca: { type: 'string' }, deployment: { type: 'string' },
      timeout: { type: 'string' }, threshold: { type: 'string' }, 'max-failures': { type: 'string' }, 'min-devices': { type: 'string' },
      offline: { type: 'string' }, device: { type: 'string', multiple: true }, stability: { type: 'string' }, interval: { type: 'string' },
      'activity-window': { type: 'string' }, ping: { type: 'boolean' }, 'module-method': { type: 'string', multiple: true }, telemetry: { type: 'boolean' },
      junit: { type: 'string' }, 'summary-dir': { type: 'string' }, rollback: { type: 'boolean' }, retarget: { type: 'boolean' },
    });
    const deploymentId = requireOption(this, v.deployment, 'deployment');
    const offline = v.offline ?? 'fail';
    if (offline !== 'fail' && offline !== 'exclude') throw new InputError(`--offline must be 'fail' or 'exclude', got '${offline}'`);
    const rule = {
      threshold: parseThreshold(v.threshold ?? '100%', '--threshold'), maxFailures: count(v['max-failures'], 'max-failures'),
      minDevices: count(v['min-devices'], 'min-devices') ?? 1, offline: offline as 'fail' | 'exclude',
    };
    const cs = v.hub ?? process.env.EDGEOPS_HUB_CONNECTION_STRING;
    if (!cs && !v['hub-info']) throw new InputError('Say which hub: --hub <connection string> (or EDGEOPS_HUB_CONNECTION_STRING) or --hub-info <file>.');
    if (cs) ctx.log.setSecret(cs);
    const clients = createHubClients({ connectionString: cs, hubInfoFile: v['hub-info'], caFile: v.ca, log: ctx.log });
    const auth = cs ? `connection string (policy ${/SharedAccessKeyName=([^;]+)/i.exec(cs)?.[1] ?? '?'})` : `hub-info ${v['hub-info']}`;
    const outDir = path.resolve(v['summary-dir'] ?? path.join(os.tmpdir(), 'edgeops'));
    const run = await runSmokeWithEvidence({
      hub: registrySmokeHub(clients.registry, clients.client, clients.hostName, { logger: ctx.log, auth }),
      logger: ctx.log, deploymentId, deviceIds: v.device, rule,
      timeoutMs: seconds(v.timeout, 'timeout', 600), pollIntervalMs: seconds(v.interval, 'interval', 10), stabilityMs: seconds(v.stability, 'stability', 30),
      activityWindowMs: seconds(v['activity-window'], 'activity-window', 0), ping: v.ping, moduleMethods: methods(v['module-method']),
      rollback: v.rollback ? { hub: registryHub(clients.registry, clients.hostName, { logger: ctx.log, auth }), mode: v.retarget ? 'retarget' : 'remove' } : undefined,
      telemetry: v.telemetry ? emulatorTelemetry({ connectionString: cs, hubInfoFile: v['hub-info'], caFile: v.ca, log: ctx.log }) : undefined,
      junitPath: path.resolve(v.junit ?? path.join(outDir, 'smoke-test-results.xml')), summaryDir: outDir,
    });
    const r = run.report;
    ctx.log.info(`Smoke test ${r.verdict.passed ? 'PASSED' : 'FAILED'}: ${r.counts.passed} passed, ${r.counts.failed} failed, ${r.counts.offline} offline of ${r.counts.targeted}.`);
    if (r.rollback) ctx.log.info(`Rollback: ${r.rollback.ok ? `done${r.rollback.restoredId ? `, restored ${r.rollback.restoredId}` : ''}` : `FAILED: ${r.rollback.message}`}`);
    ctx.log.info(`JUnit: ${run.junitPath}\nSummary: ${run.markdownPath}`);
    return r.verdict.passed ? 0 : 1;
  },
};

export const smokeCommands: Command[] = [smokeCommand];
