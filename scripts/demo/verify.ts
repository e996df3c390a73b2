/** What the demo checks against the hub after each release (through the same hub client the tasks use). */
import { createHubClients } from '../../shared/hub/clients';

export interface DeviceState {
  deviceId: string;
  environment?: string;
  connectionState?: string;
  /** The deployment whose status is Applied on this device. */
  appliedDeployment?: string;
}

export interface HubSnapshot {
  devices: DeviceState[];
  deployments: { id: string; targetCondition: string; labels: Record<string, string> }[];
}

export interface Check { name: string; ok: boolean; detail?: string }

interface StageRecord { kind: string; name: string; result: string }
interface RunJson { result: string; stages: StageRecord[] }

export async function snapshotHub(hubInfoFile: string): Promise<HubSnapshot> {
  const { registry } = createHubClients({ hubInfoFile });
  const query = registry.createQuery('SELECT deviceId, tags, connectionState, configurations FROM devices WHERE capabilities.iotEdge = true', 1000);
  const devices: DeviceState[] = [];
  do {
    // next(token) sends the continuation; the typed overloads don't say it returns a promise.
    const page = await (query as unknown as { next(token?: string): Promise<{ result: unknown[] }> }).next(query.continuationToken);
    for (const d of page.result as { deviceId: string; tags?: { environment?: string }; connectionState?: string; configurations?: Record<string, { status: string }> }[]) {
      const applied = Object.entries(d.configurations ?? {}).find(([, c]) => c.status === 'Applied')?.[0];
      devices.push({ deviceId: d.deviceId, environment: d.tags?.environment, connectionState: d.connectionState, appliedDeployment: applied });
    }
  } while (query.hasMoreResults);
  const configs = (await registry.getConfigurations()).responseBody as unknown as { id: string; targetCondition: string; labels?: Record<string, string> }[];
  return {
    devices: devices.sort((a, b) => a.deviceId.localeCompare(b.deviceId)),
    deployments: configs.map((c) => ({ id: c.id, targetCondition: c.targetCondition, labels: c.labels ?? {} })).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

const stage = (r: RunJson, name: string) => r.stages.find((s) => s.kind === 'stage' && s.name === name)?.result ?? 'NotRun';
const inEnv = (s: HubSnapshot, env: string) => s.devices.filter((d) => d.environment === env);

export function verifyGood(run: RunJson, snap: HubSnapshot): Check[] {
  const checks: Check[] = [{ name: 'pipeline run succeeded', ok: run.result === 'Succeeded', detail: run.result }];
  for (const name of ['Build', 'Deploy_dev', 'Deploy_qa', 'Deploy_prod']) {
    checks.push({ name: `${name} succeeded`, ok: stage(run, name) === 'Succeeded', detail: stage(run, name) });
  }
  for (const env of ['dev', 'qa', 'prod']) {
    const devices = inEnv(snap, env);
    const ids = new Set(devices.map((d) => d.appliedDeployment));
    // Deployment ids come from '{name}-{buildId}-{stage}' with the stage Deploy_<env>.
    const ok = devices.length > 0 && ids.size === 1 && !ids.has(undefined) && ([...ids][0] ?? '').endsWith(`-deploy_${env}`);
    checks.push({ name: `every ${env} device applied the ${env} deployment`, ok, detail: devices.map((d) => `${d.deviceId}:${d.appliedDeployment ?? 'none'}`).join(' ') });
  }
  return checks;
}

export function verifyBroken(run: RunJson, before: HubSnapshot, after: HubSnapshot): Check[] {
  const checks: Check[] = [
    { name: 'pipeline run failed', ok: run.result === 'Failed', detail: run.result },
    { name: 'Deploy_dev failed (smoke test gate)', ok: stage(run, 'Deploy_dev') === 'Failed', detail: stage(run, 'Deploy_dev') },
    { name: 'Deploy_qa never ran', ok: ['Skipped', 'NotRun'].includes(stage(run, 'Deploy_qa')), detail: stage(run, 'Deploy_qa') },
    { name: 'Deploy_prod never ran', ok: ['Skipped', 'NotRun'].includes(stage(run, 'Deploy_prod')), detail: stage(run, 'Deploy_prod') },
  ];
  for (const env of ['dev', 'qa', 'prod']) {
    const was = new Map(inEnv(before, env).map((d) => [d.deviceId, d.appliedDeployment]));
    const now = inEnv(after, env);
    const same = now.length === was.size && now.every((d) => d.appliedDeployment !== undefined && was.get(d.deviceId) === d.appliedDeployment);
    checks.push({
      name: env === 'dev' ? 'dev devices rolled back to the good release' : `${env} devices untouched`,
      ok: same,
      detail: now.map((d) => `${d.deviceId}:${was.get(d.deviceId) ?? 'none'}→${d.appliedDeployment ?? 'none'}`).join(' '),
    });
  }
  const newIds = after.deployments.map((d) => d.id).filter((id) => !before.deployments.some((b) => b.id === id));
  checks.push({ name: 'no qa/prod deployment was created for the broken release', ok: !newIds.some((id) => /-deploy_(qa|prod)$/.test(id)), detail: newIds.join(', ') || 'none' });
  return checks;
}
