import { badRequest } from './errors';

export type Json = Record<string, unknown>;

/** `$metadata` node: when each property was last written (desired also records at which $version). */
export interface MetaNode {
  $lastUpdated: string;
  $lastUpdatedVersion?: number;
  [key: string]: MetaNode | string | number | undefined;
}

/**
 * A twin as the hub stores it. The queryable fields sit exactly where IoT Hub's twin JSON has them
 * (deviceId, moduleId, tags, properties.desired/reported incl. $version, capabilities, configurations,
 * status, connectionState …) so the query evaluator reads it without building a view; `meta` holds
 * `$metadata` and is merged in only when rendering.
 */
export interface TwinDoc extends Json {
  deviceId: string;
  moduleId?: string;
  etag: string;
  version: number;
  connectionState: 'Connected' | 'Disconnected';
  lastActivityTime: string;
  tags?: Json;
  properties: { desired: Json & { $version: number }; reported: Json & { $version: number } };
  capabilities?: { iotEdge: boolean };
  configurations?: Record<string, { status: 'Applied' | 'Targeted' }>;
  meta: { desired: MetaNode; reported: MetaNode };
}

export const EPOCH = '0001-01-01T00:00:00Z';

export function isPlainObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function deepClone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function newTwin(deviceId: string, moduleId: string | undefined, now: string, etag: string): TwinDoc {
  const t: TwinDoc = {
    deviceId,
    etag,
    version: 1,
    connectionState: 'Disconnected',
    lastActivityTime: EPOCH,
    properties: { desired: { $version: 1 }, reported: { $version: 1 } },
    meta: { desired: { $lastUpdated: now }, reported: { $lastUpdated: now } },
  };
  if (moduleId !== undefined) t.moduleId = moduleId;
  else t.tags = {};
  return t;
}

/** Rejects what IoT Hub rejects in a twin patch: `$`-prefixed names (system properties) and non-JSON. */
function checkPatchKeys(patch: Json, where: string): void {
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) throw badRequest(`Twin patch ${where}.${k}: names starting with '$' are reserved`);
    if (/[.\s]/.test(k)) throw badRequest(`Twin patch ${where}.${k}: property names cannot contain '.' or spaces`);
    if (isPlainObject(v)) checkPatchKeys(v, `${where}.${k}`);
  }
}

/**
 * Merges a JSON patch into `target` as IoT Hub does: objects merge, `null` deletes, anything else
 * replaces. Returns true when something changed. Metadata is stamped with `now` (and `version`).
 */
export function mergePatch(target: Json, meta: MetaNode, patch: Json, now: string, version?: number): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (k in target) { delete target[k]; delete meta[k]; changed = true; }
      continue;
    }
    if (isPlainObject(v)) {
      if (!isPlainObject(target[k])) { target[k] = {}; changed = true; }
      if (!isPlainObject(meta[k])) meta[k] = { $lastUpdated: now };
      if (mergePatch(target[k] as Json, meta[k] as MetaNode, v, now, version)) changed = true;
      continue;
    }
    if (JSON.stringify(target[k]) !== JSON.stringify(v)) {
      target[k] = deepClone(v);
      meta[k] = version === undefined ? { $lastUpdated: now } : { $lastUpdated: now, $lastUpdatedVersion: version };
      changed = true;
    }
  }
  if (changed) {
    meta.$lastUpdated = now;
    if (version !== undefined) meta.$lastUpdatedVersion = version;
  }
  return changed;
}

/** Metadata for a whole object written at once (desired properties replaced by a deployment). */
export function metaFor(value: Json, now: string, version?: number): MetaNode {
  const m: MetaNode = version === undefined ? { $lastUpdated: now } : { $lastUpdated: now, $lastUpdatedVersion: version };
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('$')) continue;
    m[k] = isPlainObject(v) ? metaFor(v, now, version) : version === undefined ? { $lastUpdated: now } : { $lastUpdated: now, $lastUpdatedVersion: version };
  }
  return m;
}

export function validatePatch(patch: Json, section: string): void {
  checkPatchKeys(patch, section);
}

/** Desired (or reported) properties without `$version`, for change detection. */
export function withoutVersion(props: Json): Json {
  const { $version: _v, ...rest } = props;
  void _v;
  return rest;
}

/** IoT Hub's twin JSON (what GET /twins and SELECT * return). */
export function renderTwin(t: TwinDoc, extra: Json): Json {
  const out: Json = {
    deviceId: t.deviceId,
    ...(t.moduleId !== undefined ? { moduleId: t.moduleId } : {}),
    etag: t.etag,
    ...extra,
    version: t.version,
  };
  if (t.tags) out.tags = deepClone(t.tags);
  out.properties = {
    desired: { ...deepClone(t.properties.desired), $metadata: deepClone(t.meta.desired) },
    reported: { ...deepClone(t.properties.reported), $metadata: deepClone(t.meta.reported) },
  };
  if (t.capabilities) out.capabilities = { ...t.capabilities };
  if (t.configurations && Object.keys(t.configurations).length) out.configurations = deepClone(t.configurations);
  return out;
}

/** The patch that turns `from` into `to` (removed properties become null), as the hub pushes to devices. */
export function diffPatch(from: Json, to: Json): Json {
  const patch: Json = {};
  for (const k of Object.keys(from)) if (!k.startsWith('$') && !(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (k.startsWith('$')) continue;
    const old = from[k];
    if (isPlainObject(v) && isPlainObject(old)) {
      const sub = diffPatch(old, v);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (JSON.stringify(old) !== JSON.stringify(v)) patch[k] = deepClone(v);
  }
  return patch;
}
