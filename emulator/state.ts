import * as crypto from 'crypto';
import { EventEmitter } from 'events';
import * as fs from 'fs';
import { writeFileAtomic } from '../shared/core/atomic-write';
import { AccessPolicy, defaultPolicies, newKey } from './auth';
import { badRequest, deviceNotFound, HubError, moduleNotFound, preconditionFailed } from './errors';
import { deepClone, diffPatch, EPOCH, isPlainObject, Json, mergePatch, metaFor, newTwin, TwinDoc, validatePatch, withoutVersion } from './twin';

export interface Authentication {
  type: 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';
  symmetricKey: { primaryKey: string | null; secondaryKey: string | null };
  x509Thumbprint: { primaryThumbprint: string | null; secondaryThumbprint: string | null };
}

interface IdentityBase {
  deviceId: string;
  generationId: string;
  etag: string;
  connectionState: 'Connected' | 'Disconnected';
  connectionStateUpdatedTime: string;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  authentication: Authentication;
  twin: TwinDoc;
}

export interface ModuleRecord extends IdentityBase {
  moduleId: string;
  managedBy: string;
}

export interface DeviceRecord extends IdentityBase {
  status: 'enabled' | 'disabled';
  statusReason: string | null;
  statusUpdatedTime: string;
  capabilities: { iotEdge: boolean };
  deviceScope?: string;
  modules: Record<string, ModuleRecord>;
}

export interface ConfigurationRecord extends Json {
  id: string;
  schemaVersion: string;
  labels: Record<string, string>;
  content: { modulesContent?: Json; moduleContent?: Json; deviceContent?: Json };
  targetCondition: string;
  priority: number;
  createdTimeUtc: string;
  lastUpdatedTimeUtc: string;
  etag: string;
  metrics: { queries: Record<string, string>; results: Record<string, number> };
  /** Creation order, to break priority ties ("newest wins") even within one millisecond. */
  seq: number;
}

/** What changed in a twin, for the deployment engine and the device side (MQTT desired pushes). */
export interface TwinChange {
  deviceId: string;
  moduleId?: string;
  tags?: boolean;
  reported?: boolean;
  /**
   * The desired patch a connected device would receive (computed on demand: deployments touch
   * thousands of twins at once), with the new desired `$version`.
   */
  desired?: { patch: () => Json; version: number };
  source: 'service' | 'device' | 'deployment';
}

export interface IdentityChange {
  deviceId: string;
  moduleId?: string;
  kind: 'created' | 'updated' | 'deleted';
}

export interface ConnectionChange {
  deviceId: string;
  moduleId?: string;
  connected: boolean;
}

export interface HubStateEvents {
  twin: [TwinChange];
  identity: [IdentityChange];
  connection: [ConnectionChange];
  configuration: [{ id: string; kind: 'created' | 'updated' | 'deleted' }];
}

const ID_RE = /^[A-Za-z0-9\-.+%_#*?!(),:=@$']{1,128}$/;
const CONFIG_ID_RE = /^[a-z0-9\-:+%_#*?!(),=@;$']{1,128}$/;
export const SYSTEM_MODULES = ['$edgeAgent', '$edgeHub'];

function now(): string {
  return new Date().toISOString();
}

/** `If-Match` as sent (quoted, maybe weak) → bare etag; undefined when absent. */
export function normalizeIfMatch(h: string | undefined): string | undefined {
  if (h === undefined || h === '') return undefined;
  return h.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

function checkEtag(ifMatch: string | undefined, etag: string, what: string): void {
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etag) throw preconditionFailed(what);
}

function normalizeAuth(input: unknown, existing?: Authentication): Authentication {
  const a = isPlainObject(input) ? input : {};
  const sym = isPlainObject(a.symmetricKey) ? a.symmetricKey : {};
  const x509 = isPlainObject(a.x509Thumbprint) ? a.x509Thumbprint : {};
  const type = (typeof a.type === 'string' ? a.type : 'sas') as Authentication['type'];
  if (!['sas', 'selfSigned', 'certificateAuthority', 'none'].includes(type)) throw badRequest(`authentication.type '${type}' is not valid`);
  const key = (v: unknown, old: string | null | undefined) => {
    if (type !== 'sas') return null;
    if (typeof v === 'string' && v !== '') {
      if (Buffer.from(v, 'base64').length < 16) throw badRequest('authentication.symmetricKey: keys must be base64 and at least 16 bytes');
      return v;
    }
    return old ?? newKey(); // IoT Hub generates keys when empty strings (or nothing) are sent
  };
  return {
    type,
    symmetricKey: { primaryKey: key(sym.primaryKey, existing?.symmetricKey.primaryKey), secondaryKey: key(sym.secondaryKey, existing?.symmetricKey.secondaryKey) },
    x509Thumbprint: {
      primaryThumbprint: typeof x509.primaryThumbprint === 'string' ? x509.primaryThumbprint : null,
      secondaryThumbprint: typeof x509.secondaryThumbprint === 'string' ? x509.secondaryThumbprint : null,
    },
  };
}

interface Persisted {
  format: 1;
  seq: number;
  policies: AccessPolicy[];
  devices: DeviceRecord[];
  configurations: ConfigurationRecord[];
}

/**
 * The hub's data: identities, twins, configurations and access policies, with events on every
 * change (the deployment engine and the MQTT device side subscribe). Persisted to one JSON file
 * with atomic writes (debounced), or kept in memory only.
 */
export class HubState extends EventEmitter<HubStateEvents> {
  readonly devices = new Map<string, DeviceRecord>();
  readonly configurations = new Map<string, ConfigurationRecord>();
  policies: AccessPolicy[] = defaultPolicies();
  private seq = 0;
  private saveTimer?: NodeJS.Timeout;

  constructor(private readonly file?: string) {
    super();
    this.setMaxListeners(100);
    if (file && fs.existsSync(file)) this.load(file);
  }

  // ---- persistence -------------------------------------------------------------------------

  private load(file: string): void {
    let data: Persisted;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8')) as Persisted;
    } catch (e) {
      throw new Error(`Emulator state ${file} is unreadable (${(e as Error).message}); move it away to start with an empty hub`);
    }
    this.seq = data.seq;
    this.policies = data.policies;
    for (const d of data.devices) this.devices.set(d.deviceId, d);
    for (const c of data.configurations) this.configurations.set(c.id, c);
  }

  /** Marks the state dirty; the file is rewritten shortly after (coalescing bursts). */
  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.saveTimer) { clearTimeout(this.saveTimer); this.saveTimer = undefined; }
    if (!this.file) return;
    const data: Persisted = { format: 1, seq: this.seq, policies: this.policies, devices: [...this.devices.values()], configurations: [...this.configurations.values()] };
    writeFileAtomic(this.file, JSON.stringify(data), { mode: 0o600 }); // holds keys: owner-only
  }

  nextEtag(): string {
    this.seq++;
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(this.seq));
    return b.toString('base64');
  }

  nextSeq(): number {
    return ++this.seq;
  }

  // ---- devices -----------------------------------------------------------------------------

  getDevice(deviceId: string): DeviceRecord {
    const d = this.devices.get(deviceId);
    if (!d) throw deviceNotFound(deviceId);
    return d;
  }

  getModule(deviceId: string, moduleId: string): ModuleRecord {
    const m = this.getDevice(deviceId).modules[moduleId];
    if (!m) throw moduleNotFound(deviceId, moduleId);
    return m;
  }

  /** PUT /devices/{id}: create (no If-Match) or update (If-Match etag or "*"). */
  putDevice(deviceId: string, body: Json, ifMatch: string | undefined): DeviceRecord {
    if (!ID_RE.test(deviceId)) throw badRequest(`Device id '${deviceId}' is invalid: up to 128 letters, digits or - . + % _ # * ? ! ( ) , : = @ $ '`);
    if (body.deviceId !== undefined && body.deviceId !== deviceId) throw badRequest(`deviceId in the body (${String(body.deviceId)}) does not match the URL (${deviceId})`);
    const existing = this.devices.get(deviceId);
    const t = now();
    const status = body.status === undefined ? undefined : String(body.status);
    if (status !== undefined && status !== 'enabled' && status !== 'disabled') throw badRequest(`status must be 'enabled' or 'disabled', got '${status}'`);
    const caps = isPlainObject(body.capabilities) ? body.capabilities : {};
    const iotEdge = caps.iotEdge === true;
    if (!existing) {
      if (ifMatch !== undefined && ifMatch !== '*') throw deviceNotFound(deviceId);
      const gen = crypto.randomBytes(8).readBigUInt64BE().toString().slice(0, 18);
      const twin = newTwin(deviceId, undefined, t, this.nextEtag());
      const dev: DeviceRecord = {
        deviceId, generationId: gen, etag: Buffer.from(String(this.nextSeq())).toString('base64'),
        connectionState: 'Disconnected', connectionStateUpdatedTime: EPOCH, lastActivityTime: EPOCH, cloudToDeviceMessageCount: 0,
        authentication: normalizeAuth(body.authentication),
        status: (status ?? 'enabled') as 'enabled' | 'disabled', statusReason: typeof body.statusReason === 'string' ? body.statusReason : null, statusUpdatedTime: EPOCH,
        capabilities: { iotEdge }, twin, modules: {},
      };
      if (iotEdge) dev.deviceScope = `ms-azure-iot-edge://${deviceId}-${gen}`;
      this.syncDeviceTwin(dev);
      this.devices.set(deviceId, dev);
      if (iotEdge) for (const m of SYSTEM_MODULES) this.addModule(dev, m, {}, 'iotEdge');
      this.changed();
      this.emit('identity', { deviceId, kind: 'created' });
      return dev;
    }
    if (ifMatch === undefined) throw new HubError(409, 'DeviceAlreadyExists', `A device with ID '${deviceId}' is already registered`, 409001);
    checkEtag(ifMatch, existing.etag, `device ${deviceId}`);
    existing.authentication = normalizeAuth(body.authentication, existing.authentication);
    if (status !== undefined && status !== existing.status) { existing.status = status as 'enabled' | 'disabled'; existing.statusUpdatedTime = t; }
    if (typeof body.statusReason === 'string') existing.statusReason = body.statusReason;
    const wasEdge = existing.capabilities.iotEdge;
    existing.capabilities = { iotEdge };
    if (iotEdge && !wasEdge) {
      existing.deviceScope = `ms-azure-iot-edge://${deviceId}-${existing.generationId}`;
      for (const m of SYSTEM_MODULES) if (!existing.modules[m]) this.addModule(existing, m, {}, 'iotEdge');
    }
    existing.etag = Buffer.from(String(this.nextSeq())).toString('base64');
    this.syncDeviceTwin(existing);
    this.changed();
    this.emit('identity', { deviceId, kind: 'updated' });
    return existing;
  }

  /** Identity fields the twin mirrors (status, connection, capabilities). */
  private syncDeviceTwin(d: DeviceRecord): void {
    const tw = d.twin;
    tw.status = d.status;
    tw.statusReason = d.statusReason;
    tw.statusUpdateTime = d.statusUpdatedTime;
    tw.connectionState = d.connectionState;
    tw.lastActivityTime = d.lastActivityTime;
    tw.capabilities = { ...d.capabilities };
    tw.deviceEtag = d.etag;
  }

  deleteDevice(deviceId: string, ifMatch: string | undefined): void {
    const d = this.getDevice(deviceId);
    checkEtag(ifMatch, d.etag, `device ${deviceId}`);
    this.devices.delete(deviceId);
    this.changed();
    this.emit('identity', { deviceId, kind: 'deleted' });
  }

  // ---- modules -----------------------------------------------------------------------------

  private addModule(dev: DeviceRecord, moduleId: string, body: Json, managedBy: string): ModuleRecord {
    const m: ModuleRecord = {
      moduleId, deviceId: dev.deviceId, managedBy, generationId: crypto.randomBytes(8).readBigUInt64BE().toString().slice(0, 18),
      etag: Buffer.from(String(this.nextSeq())).toString('base64'),
      connectionState: 'Disconnected', connectionStateUpdatedTime: EPOCH, lastActivityTime: EPOCH, cloudToDeviceMessageCount: 0,
      authentication: normalizeAuth(body.authentication),
      twin: newTwin(dev.deviceId, moduleId, now(), this.nextEtag()),
    };
    m.twin.deviceEtag = dev.etag;
    dev.modules[moduleId] = m;
    this.emit('identity', { deviceId: dev.deviceId, moduleId, kind: 'created' });
    return m;
  }

  putModule(deviceId: string, moduleId: string, body: Json, ifMatch: string | undefined): ModuleRecord {
    const dev = this.getDevice(deviceId);
    if (!ID_RE.test(moduleId)) throw badRequest(`Module id '${moduleId}' is invalid`);
    if (moduleId.startsWith('$') && !(SYSTEM_MODULES.includes(moduleId) && dev.capabilities.iotEdge)) throw badRequest(`Module id '${moduleId}': names starting with '$' are reserved`);
    if (body.moduleId !== undefined && body.moduleId !== moduleId) throw badRequest(`moduleId in the body (${String(body.moduleId)}) does not match the URL (${moduleId})`);
    const existing = dev.modules[moduleId];
    if (!existing) {
      if (ifMatch !== undefined && ifMatch !== '*') throw moduleNotFound(deviceId, moduleId);
      const m = this.addModule(dev, moduleId, body, typeof body.managedBy === 'string' ? body.managedBy : '');
      this.changed();
      return m;
    }
    if (ifMatch === undefined) throw new HubError(409, 'ModuleAlreadyExistsOnDevice', `A module with ID '${moduleId}' is already registered on device '${deviceId}'`, 409301);
    checkEtag(ifMatch, existing.etag, `module ${deviceId}/${moduleId}`);
    existing.authentication = normalizeAuth(body.authentication, existing.authentication);
    if (typeof body.managedBy === 'string') existing.managedBy = body.managedBy;
    existing.etag = Buffer.from(String(this.nextSeq())).toString('base64');
    this.changed();
    this.emit('identity', { deviceId, moduleId, kind: 'updated' });
    return existing;
  }

  deleteModule(deviceId: string, moduleId: string, ifMatch: string | undefined): void {
    const m = this.getModule(deviceId, moduleId);
    checkEtag(ifMatch, m.etag, `module ${deviceId}/${moduleId}`);
    delete this.getDevice(deviceId).modules[moduleId];
    this.changed();
    this.emit('identity', { deviceId, moduleId, kind: 'deleted' });
  }

  // ---- twins -------------------------------------------------------------------------------

  twinOf(deviceId: string, moduleId?: string): TwinDoc {
    return moduleId === undefined ? this.getDevice(deviceId).twin : this.getModule(deviceId, moduleId).twin;
  }

  /**
   * Service-side twin update (PATCH merges, PUT replaces tags and desired). Only tags and
   * properties.desired are writable from the service, as in IoT Hub.
   */
  updateTwin(deviceId: string, moduleId: string | undefined, body: Json, ifMatch: string | undefined, replace: boolean): TwinDoc {
    const tw = this.twinOf(deviceId, moduleId);
    checkEtag(ifMatch, tw.etag, 'twin');
    const tags = body.tags;
    const props = isPlainObject(body.properties) ? body.properties : undefined;
    const desired = props?.desired;
    if (tags !== undefined && tags !== null && !isPlainObject(tags)) throw badRequest('Twin patch: tags must be an object');
    if (tags !== undefined && moduleId !== undefined) throw badRequest('Twin patch: module twins have no tags');
    if (desired !== undefined && desired !== null && !isPlainObject(desired)) throw badRequest('Twin patch: properties.desired must be an object');
    if (props && props.reported !== undefined) throw badRequest('Twin patch: properties.reported can only be written by the device');
    if (isPlainObject(tags)) validatePatch(tags, 'tags');
    const t = now();
    let tagsChanged = false;
    let desiredChange: TwinChange['desired'];
    if (isPlainObject(tags) || (replace && tags === null)) {
      const before = JSON.stringify(tw.tags ?? {});
      if (replace) tw.tags = {};
      mergePatch(tw.tags ??= {}, { $lastUpdated: t }, (tags ?? {}) as Json, t);
      tagsChanged = before !== JSON.stringify(tw.tags);
    }
    if (isPlainObject(desired)) {
      const { $version: _ignored, ...patch } = desired;
      void _ignored;
      validatePatch(patch, 'properties.desired');
      const before = withoutVersion(tw.properties.desired);
      const nextVersion = tw.properties.desired.$version + 1;
      let changed: boolean;
      if (replace) {
        const fresh = deepClone(patch) as Json;
        changed = JSON.stringify(before) !== JSON.stringify(fresh);
        if (changed) { tw.properties.desired = { ...fresh, $version: nextVersion }; tw.meta.desired = metaFor(fresh, t, nextVersion); }
      } else {
        changed = mergePatch(tw.properties.desired, tw.meta.desired, patch, t, nextVersion);
      }
      if (changed) {
        tw.properties.desired.$version = nextVersion;
        const after = withoutVersion(tw.properties.desired);
        desiredChange = { patch: () => diffPatch(before, after), version: nextVersion };
      }
    }
    if (tagsChanged || desiredChange) this.bumpTwin(tw, { deviceId, moduleId, tags: tagsChanged, desired: desiredChange, source: 'service' });
    return tw;
  }

  /** Device-side reported patch (used by the MQTT endpoint); returns the new reported $version. */
  updateReported(deviceId: string, moduleId: string | undefined, patch: Json): number {
    const tw = this.twinOf(deviceId, moduleId);
    const { $version: _ignored, ...clean } = patch;
    void _ignored;
    validatePatch(clean, 'properties.reported');
    const t = now();
    if (mergePatch(tw.properties.reported, tw.meta.reported, clean, t)) {
      tw.properties.reported.$version++;
      this.bumpTwin(tw, { deviceId, moduleId, reported: true, source: 'device' });
    }
    return tw.properties.reported.$version;
  }

  /**
   * Replaces a twin's desired properties (deployments, applyConfigurationContent); no-op when
   * nothing changes. `desired` is owned by the twin afterwards (callers pass a fresh copy).
   */
  setDesired(tw: TwinDoc, desired: Json, source: TwinChange['source'], knownChanged = false): boolean {
    const before = withoutVersion(tw.properties.desired);
    if (!knownChanged && JSON.stringify(before) === JSON.stringify(desired)) return false;
    const t = now();
    const v = tw.properties.desired.$version + 1;
    tw.meta.desired = metaFor(desired, t, v);
    desired.$version = v;
    tw.properties.desired = desired as TwinDoc['properties']['desired'];
    const after = withoutVersion(desired);
    this.bumpTwin(tw, { deviceId: tw.deviceId, moduleId: tw.moduleId, desired: { patch: () => diffPatch(before, after), version: v }, source });
    return true;
  }

  /** New etag and version after any twin change, then tell listeners. */
  bumpTwin(tw: TwinDoc, change?: TwinChange): void {
    tw.version++;
    tw.etag = this.nextEtag();
    this.changed();
    if (change) this.emit('twin', change);
  }

  /** Connection state as the device side sees it (connect/disconnect of an MQTT client). */
  setConnectionState(deviceId: string, moduleId: string | undefined, connected: boolean): void {
    const rec: IdentityBase = moduleId === undefined ? this.getDevice(deviceId) : this.getModule(deviceId, moduleId);
    const state = connected ? 'Connected' : 'Disconnected';
    const t = now();
    rec.lastActivityTime = t;
    rec.twin.lastActivityTime = t;
    if (rec.connectionState !== state) {
      rec.connectionState = state;
      rec.connectionStateUpdatedTime = t;
      rec.twin.connectionState = state;
      this.emit('connection', { deviceId, moduleId, connected });
    }
    this.changed();
  }

  /** Device activity (telemetry, twin reads) moves lastActivityTime. */
  touch(deviceId: string, moduleId?: string): void {
    const rec: IdentityBase = moduleId === undefined ? this.getDevice(deviceId) : this.getModule(deviceId, moduleId);
    rec.lastActivityTime = rec.twin.lastActivityTime = now();
  }

  // ---- configurations ----------------------------------------------------------------------

  validateConfigurationId(id: string): void {
    if (!CONFIG_ID_RE.test(id)) {
      throw badRequest(`Configuration id '${id}' is invalid: up to 128 lowercase letters, digits or - : + % _ # * ? ! ( ) , = @ ; $ '`);
    }
  }
}
