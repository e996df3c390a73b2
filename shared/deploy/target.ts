import { EdgeOpsError, InputError } from '../core/errors';
import { DeployHub } from './hub';

/** Which devices a deployment is for: a target condition, one device, or a list of devices. */
export type Target =
  | { kind: 'condition'; condition: string }
  | { kind: 'device'; deviceId: string }
  | { kind: 'devices'; deviceIds: string[] };

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function targetCondition(t: Target): string {
  switch (t.kind) {
    case 'condition': {
      const c = t.condition.trim();
      if (!c) throw new InputError('The target condition is empty.', { field: 'targetCondition' }, "For example tags.environment='dev'.");
      return c;
    }
    case 'device':
      if (!t.deviceId.trim()) throw new InputError('The device id is empty.', { field: 'deviceId' });
      return `deviceId=${quote(t.deviceId.trim())}`;
    case 'devices': {
      const ids = [...new Set(t.deviceIds.map((d) => d.trim()).filter(Boolean))];
      if (ids.length === 0) throw new InputError('The device list is empty.', { field: 'deviceId' });
      return ids.map((d) => `deviceId=${quote(d)}`).join(' OR ');
    }
  }
}

export interface TargetedDevice {
  deviceId: string;
  /** configurations.<id>.status as the hub reports it (Applied / Targeted). */
  configurations: Record<string, string>;
}

/** WHERE clause selecting the edge devices a condition targets ('*' = every edge device). */
export function edgeDevicesWhere(condition: string): string {
  return condition.trim() === '*' ? 'capabilities.iotEdge = true' : `capabilities.iotEdge = true AND (${condition})`;
}

/**
 * Runs the target condition as a query: proves its syntax (the hub's message on error) and tells
 * which edge devices it selects and what deployments they run now.
 */
export async function findTargetedDevices(hub: DeployHub, condition: string): Promise<TargetedDevice[]> {
  let rows: Record<string, unknown>[];
  try {
    rows = await hub.query(`SELECT deviceId, configurations FROM devices WHERE ${edgeDevicesWhere(condition)}`);
  } catch (err) {
    if (err instanceof EdgeOpsError && err.code === 'HubBadRequest') {
      throw new InputError(`Target condition "${condition}" is not valid: ${err.message.replace(/^IoT Hub \S+ rejected [^:]*: /, '')}`, { field: 'targetCondition' });
    }
    throw err;
  }
  return rows.map((r) => {
    const cfg = (r.configurations ?? {}) as Record<string, { status?: string } | undefined>;
    const configurations: Record<string, string> = {};
    for (const [id, v] of Object.entries(cfg)) if (v && typeof v.status === 'string') configurations[id] = v.status;
    return { deviceId: String(r.deviceId), configurations };
  }).sort((a, b) => a.deviceId.localeCompare(b.deviceId));
}

/** Device ids whose $edgeAgent has this deployment applied (the hub's own appliedCount query). */
export async function devicesApplying(hub: DeployHub, deploymentId: string): Promise<string[]> {
  const rows = await hub.query(`SELECT deviceId FROM devices.modules WHERE moduleId = '$edgeAgent' AND configurations.[[${deploymentId}]].status = 'Applied'`);
  return rows.map((r) => String(r.deviceId)).sort();
}
