import { edgeDevicesWhere } from '../deploy/target';
import { SmokeHub } from './hub';
import { AgentRow, DeviceRow, toAgentRow, toDeviceRow } from './rows';

const DEVICE_COLUMNS = 'deviceId, status, statusReason, capabilities, connectionState, lastActivityTime, configurations';
// Only the reported parts the checks read (not runtime/platform details): smaller pages for big fleets.
const AGENT_COLUMNS = 'deviceId, connectionState, lastActivityTime, properties.desired.$version, properties.reported.lastDesiredVersion, '
  + 'properties.reported.lastDesiredStatus, properties.reported.modules, properties.reported.systemModules';
/** IoT Hub caps a query's text; keep each IN list well below it. */
const MAX_IN_CHARS = 6000;

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Device ids in IN-list chunks that keep every query short enough for the hub. */
export function idChunks(ids: string[]): string[][] {
  const chunks: string[][] = [];
  let cur: string[] = [];
  let len = 0;
  for (const id of ids) {
    const l = id.length + 4;
    if (cur.length && len + l > MAX_IN_CHARS) { chunks.push(cur); cur = []; len = 0; }
    cur.push(id);
    len += l;
  }
  if (cur.length) chunks.push(cur);
  return chunks;
}

const inList = (ids: string[]) => `deviceId IN [${ids.map(quote).join(', ')}]`;

export function deviceQuery(where: string): string {
  return `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${where}`;
}

/** $edgeAgent twins of devices where the deployment is Applied — the hub's own appliedCount condition. */
export function agentQuery(deploymentId: string, extraWhere?: string): string {
  return `SELECT ${AGENT_COLUMNS} FROM devices.modules WHERE moduleId = '$edgeAgent' AND configurations.[[${deploymentId}]].status = 'Applied'${extraWhere ? ` AND ${extraWhere}` : ''}`;
}

export interface Snapshot {
  devices: DeviceRow[];
  agents: Map<string, AgentRow>;
}

/**
 * Everything the checks need for every targeted device, in a few paged queries (about two
 * requests per thousand devices), never one request per device.
 */
export async function snapshot(hub: SmokeHub, deploymentId: string, target: { condition: string } | { deviceIds: string[] }): Promise<Snapshot> {
  const devices: DeviceRow[] = [];
  const agents = new Map<string, AgentRow>();
  if ('condition' in target) {
    const [d, a] = await Promise.all([hub.query(deviceQuery(edgeDevicesWhere(target.condition))), hub.query(agentQuery(deploymentId))]);
    for (const r of d) devices.push(toDeviceRow(r, deploymentId));
    for (const r of a) { const row = toAgentRow(r); agents.set(row.deviceId, row); }
  } else {
    const found = new Map<string, DeviceRow>();
    for (const chunk of idChunks(target.deviceIds)) {
      const [d, a] = await Promise.all([hub.query(deviceQuery(inList(chunk))), hub.query(agentQuery(deploymentId, inList(chunk)))]);
      for (const r of d) { const row = toDeviceRow(r, deploymentId); found.set(row.deviceId, row); }
      for (const r of a) { const row = toAgentRow(r); agents.set(row.deviceId, row); }
    }
    for (const id of target.deviceIds) devices.push(found.get(id) ?? { deviceId: id, exists: false });
  }
  devices.sort((x, y) => (x.deviceId < y.deviceId ? -1 : x.deviceId > y.deviceId ? 1 : 0));
  return { devices, agents };
}
