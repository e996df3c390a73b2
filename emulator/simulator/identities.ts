import * as crypto from 'crypto';
import { Registry } from 'azure-iothub';
import { InputError } from '../../shared/core/errors';
import { Logger } from '../../shared/core/logger';
import { withRetry } from '../../shared/core/retry';
import { mapBounded } from '../../shared/docker/pool';

export interface EdgeIdentity {
  deviceId: string;
  deviceKey: string;
  agentKey: string;
}

function unwrap<T>(results: PromiseSettledResult<T>[]): T[] {
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function sameTags(have: Record<string, unknown> | undefined, want: Record<string, unknown>): boolean {
  return Object.entries(want).every(([k, v]) => JSON.stringify(have?.[k]) === JSON.stringify(v));
}

/**
 * Makes sure every id is an IoT Edge device with the wanted tags and returns its keys: missing
 * devices are created in bulk (100 per request), existing ones are used (a non-edge device with
 * the same id is an error), tags are written only where they differ. A few requests per hundred
 * devices plus one module read per device for the `$edgeAgent` key.
 */
export async function ensureEdgeDevices(registry: Registry, ids: string[], tags: Record<string, unknown> | undefined, log: Logger, concurrency = 32): Promise<EdgeIdentity[]> {
  const existing = new Map<string, { edge: boolean; tags?: Record<string, unknown> }>();
  const prefix = commonPrefix(ids).replace(/'/g, "\\'");
  const query = registry.createQuery(`SELECT deviceId, capabilities, tags FROM devices WHERE STARTSWITH(deviceId, '${prefix}')`, 1000);
  while (query.hasMoreResults) {
    const page = await withRetry(() => query.next(query.continuationToken));
    for (const row of page.result as { deviceId: string; capabilities?: { iotEdge?: boolean }; tags?: Record<string, unknown> }[]) {
      existing.set(row.deviceId, { edge: !!row.capabilities?.iotEdge, tags: row.tags });
    }
  }
  const notEdge = ids.filter((id) => existing.has(id) && !existing.get(id)!.edge);
  if (notEdge.length) throw new InputError(`Device ${notEdge[0]}${notEdge.length > 1 ? ` (and ${notEdge.length - 1} more)` : ''} exists but is not an IoT Edge device`, undefined, 'Pick another --prefix.');
  const created = new Map<string, string>();
  const missing = ids.filter((id) => !existing.has(id));
  for (let i = 0; i < missing.length; i += 100) {
    const batch = missing.slice(i, i + 100).map((deviceId) => {
      const primaryKey = crypto.randomBytes(32).toString('base64');
      created.set(deviceId, primaryKey);
      log.setSecret(primaryKey);
      return { deviceId, status: 'enabled', capabilities: { iotEdge: true }, authentication: { symmetricKey: { primaryKey, secondaryKey: crypto.randomBytes(32).toString('base64') } } };
    });
    // Bulk create is not idempotent; a retry after a lost response reports "already exists", which is fine.
    const res = await withRetry(() => registry.addDevices(batch as Registry.DeviceDescription[]).catch((e) => {
      const body = (e as { responseBody?: string }).responseBody ?? '';
      if (/DeviceAlreadyExists/.test(String(body))) return undefined;
      throw e;
    }));
    const errs = (res?.responseBody?.errors ?? []).filter((e) => !/AlreadyExists/i.test(String(e.errorCode)));
    if (errs.length) throw new Error(`Creating devices failed: ${errs[0].deviceId}: ${errs[0].errorStatus}`);
  }
  if (tags && Object.keys(tags).length) {
    const stale = ids.filter((id) => !sameTags(existing.get(id)?.tags, tags));
    unwrap(await mapBounded(stale, concurrency, (id) => withRetry(() => registry.updateTwin(id, { tags }, '*'))));
  }
  return unwrap(await mapBounded(ids, concurrency, async (deviceId) => {
    let deviceKey = created.get(deviceId);
    if (!deviceKey) deviceKey = (await withRetry(() => registry.get(deviceId))).responseBody.authentication?.symmetricKey?.primaryKey ?? undefined;
    const agent = (await withRetry(() => registry.getModule(deviceId, '$edgeAgent'))).responseBody;
    const agentKey = agent.authentication?.symmetricKey?.primaryKey;
    if (!deviceKey || !agentKey) throw new InputError(`Device ${deviceId} does not use symmetric keys; the simulator needs SAS authentication`);
    log.setSecret(deviceKey);
    log.setSecret(agentKey);
    return { deviceId, deviceKey, agentKey };
  }));
}

function commonPrefix(ids: string[]): string {
  if (ids.length === 0) return '';
  let p = ids[0];
  for (const id of ids) while (!id.startsWith(p)) p = p.slice(0, -1);
  return p;
}
