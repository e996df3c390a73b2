import * as os from 'os';
import * as path from 'path';
import { Command, CliContext, parseOptions, requireOption } from '../command';
import { InputError } from '../../shared/core/errors';
import { createHubClients } from '../../shared/hub';
import { normalizeDeploymentId, registryHub, runDeploy, runRollback, Target } from '../../shared/deploy';

const hubOptions = { hub: { type: 'string' }, 'hub-info': { type: 'string' }, ca: { type: 'string' } } as const;

function hubFrom(ctx: CliContext, v: { hub?: string; 'hub-info'?: string; ca?: string }) {
  const cs = v.hub ?? process.env.EDGEOPS_HUB_CONNECTION_STRING;
  if (!cs && !v['hub-info']) throw new InputError('Say which hub: --hub <connection string> (or EDGEOPS_HUB_CONNECTION_STRING) or --hub-info <file>.');
  if (cs) ctx.log.setSecret(cs);
  const clients = createHubClients({ connectionString: cs, hubInfoFile: v['hub-info'], caFile: v.ca, log: ctx.log });
  const policy = cs ? /SharedAccessKeyName=([^;]+)/i.exec(cs)?.[1] : undefined;
  return registryHub(clients.registry, clients.hostName, { logger: ctx.log, auth: v.hub || !v['hub-info'] ? `connection string (policy ${policy ?? '?'})` : `hub-info ${v['hub-info']}` });
}

/** Without --series, ids like app-41, app-42 form the series "app" (a trailing -<number> is the run). */
export function defaultSeries(id: string): string {
  const n = normalizeDeploymentId(id, 'id');
  return n.replace(/-\d+$/, '') || n;
}

function intOpt(v: string | undefined, name: string, def: number): number {
  if (v === undefined) return def;
  if (!/^\d+$/.test(v.trim())) throw new InputError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

export const deployCreate: Command = {
  path: ['deploy'],
  summary: 'Create an IoT Edge deployment safely (validated target, diff, idempotent, retention)',
  usage: 'edgeops deploy (--hub <cs> | --hub-info <file>) --manifest <file|glob> --id <id> (--target-condition <tc> | --device <id>...) [--priority N] [--layered] [--dry-run] [--replace] [--keep N] [--series S] [--allow-empty] [--summary-dir DIR]',
  async run(ctx) {
    const { values } = parseOptions(this, ctx.argv, {
      ...hubOptions, manifest: { type: 'string' }, id: { type: 'string' }, 'target-condition': { type: 'string' }, device: { type: 'string', multiple: true },
      priority: { type: 'string' }, layered: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, replace: { type: 'boolean' }, keep: { type: 'string' },
      series: { type: 'string' }, 'allow-empty': { type: 'boolean' }, 'summary-dir': { type: 'string' },
    });
    const manifest = requireOption(this, values.manifest, 'manifest');
    const id = requireOption(this, values.id, 'id');
    let target: Target;
    if (values['target-condition'] && values.device) throw new InputError('--target-condition and --device exclude each other');
    if (values.device) target = values.device.length === 1 ? { kind: 'device', deviceId: values.device[0] } : { kind: 'devices', deviceIds: values.device };
    else target = { kind: 'condition', condition: requireOption(this, values['target-condition'], 'target-condition') };
    const priority = intOpt(values.priority, 'priority', 0);
    const keep = intOpt(values.keep, 'keep', 0);
    const hub = hubFrom(ctx, values);
    const r = await runDeploy({
      hub, logger: ctx.log, manifestPattern: manifest, cwd: process.cwd(), idTemplate: '{name}', idVars: { name: id }, series: values.series ?? defaultSeries(id),
      target, priority, layered: !!values.layered, registryVars: process.env, allowNoDevices: values['allow-empty'], replace: values.replace, keep,
      dryRun: values['dry-run'], summaryDir: path.resolve(values['summary-dir'] ?? path.join(os.tmpdir(), 'edgeops')),
    });
    ctx.log.info(`Deployment ${r.result.deploymentId}: ${r.result.action}; ${r.result.targetedDeviceCount} device(s) targeted; previous ${r.result.previousDeploymentId ?? 'none'}. Summary: ${r.summaryPath}`);
    return 0;
  },
};

export const deployRollback: Command = {
  path: ['deploy', 'rollback'],
  summary: 'Roll a deployment back: devices return to the previous deployment of its series',
  usage: 'edgeops deploy rollback (--hub <cs> | --hub-info <file>) --id <id> [--retarget] [--series S] [--summary-dir DIR]',
  async run(ctx) {
    const { values } = parseOptions(this, ctx.argv, { ...hubOptions, id: { type: 'string' }, retarget: { type: 'boolean' }, series: { type: 'string' }, 'summary-dir': { type: 'string' } });
    const id = normalizeDeploymentId(requireOption(this, values.id, 'id'), 'id');
    const hub = hubFrom(ctx, values);
    const r = await runRollback({ hub, logger: ctx.log, id, series: values.series, mode: values.retarget ? 'retarget' : 'remove', summaryDir: path.resolve(values['summary-dir'] ?? path.join(os.tmpdir(), 'edgeops')) });
    ctx.log.info(`Rollback of ${id}: ${r.result.action}${r.result.restored ? `; restored ${r.result.restored.id}` : ''}. Summary: ${r.summaryPath}`);
    return 0;
  },
};

export const deployCommands: Command[] = [deployCreate, deployRollback];
