import { badRequest, HubError, preconditionFailed } from './errors';
import { compilePredicate } from './query/compile';
import { parseCondition } from './query/parser';
import { compileQuery, CompiledQuery, QuerySource } from './query/run';
import { ConfigurationRecord, DeviceRecord, HubState, normalizeIfMatch } from './state';
import { deepClone, isPlainObject, Json, TwinDoc, withoutVersion } from './twin';

const DESIRED = 'properties.desired';

interface Compiled {
  record: ConfigurationRecord;
  matches: (twin: TwinDoc) => boolean;
  /** IoT Edge deployment (modulesContent) vs. device/module configuration (not applied by the emulator). */
  edge: boolean;
  layered: boolean;
  systemQueries: Record<string, CompiledQuery>;
  customQueries: Record<string, CompiledQuery>;
}

function systemMetricQueries(id: string, targetCondition: string): Record<string, string> {
  const target = targetCondition.trim() === '*' || targetCondition.trim() === '' ? '' : ` and (${targetCondition})`;
  const applied = `select deviceId from devices.modules where moduleId = '$edgeAgent' and configurations.[[${id}]].status = 'Applied'`;
  const current = `${applied} and properties.desired.$version = properties.reported.lastDesiredVersion`;
  return {
    targetedCount: targetCondition.trim() === '' ? 'select deviceId from devices where false = true' : `select deviceId from devices where capabilities.iotEdge = true${target}`,
    appliedCount: applied,
    reportedSuccessfulCount: `${current} and properties.reported.lastDesiredStatus.code = 200`,
    reportedFailedCount: `${current} and properties.reported.lastDesiredStatus.code != 200`,
  };
}

function setPath(target: Json, segs: string[], value: unknown): void {
  let cur = target;
  for (const s of segs.slice(0, -1)) {
    if (!isPlainObject(cur[s])) cur[s] = {};
    cur = cur[s] as Json;
  }
  cur[segs[segs.length - 1]] = value;
}

function deepMerge(target: Json, src: Json): void {
  for (const [k, v] of Object.entries(src)) {
    if (isPlainObject(v) && isPlainObject(target[k])) deepMerge(target[k] as Json, v);
    else target[k] = deepClone(v);
  }
}

function compileTarget(condition: string): (twin: TwinDoc) => boolean {
  const c = condition.trim();
  if (c === '') return () => false;
  if (c === '*') return () => true;
  try {
    return compilePredicate(parseCondition(c)) as (twin: TwinDoc) => boolean;
  } catch (e) {
    if (e instanceof HubError) throw badRequest(`targetCondition: ${e.message}`);
    throw e;
  }
}

/**
 * IoT Edge deployments as IoT Hub runs them: for each edge device the highest-priority matching
 * base deployment wins (tie: the newest), layered deployments merge on top in priority order, and
 * the result becomes the desired properties of $edgeAgent, $edgeHub and the listed module twins.
 * Target conditions are compiled once; merged content is computed once per combination of
 * deployments, so evaluating 10,000 devices is mostly string comparisons.
 */
export class DeploymentEngine {
  private readonly compiled = new Map<string, Compiled>();
  private pendingAll = false;
  private readonly pendingDevices = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly state: HubState, private readonly source: QuerySource, private delayMs = 0) {
    for (const rec of state.configurations.values()) this.compiled.set(rec.id, this.compile(rec));
    state.on('twin', (c) => {
      if (c.source !== 'deployment' && c.moduleId === undefined && (c.tags || c.reported)) this.schedule(c.deviceId);
    });
    state.on('identity', (c) => {
      if (c.kind !== 'deleted') this.schedule(c.deviceId);
    });
  }

  /** Delay between a change and re-evaluation (IoT Hub takes minutes; 0 = before the response). */
  setDelay(ms: number): void {
    this.delayMs = ms;
  }

  private compile(record: ConfigurationRecord): Compiled {
    const mc = record.content.modulesContent;
    const edge = isPlainObject(mc);
    const agent = edge ? (mc as Json).$edgeAgent : undefined;
    const layered = edge && !(isPlainObject(agent) && isPlainObject(agent[DESIRED]));
    const q = (text: string, name: string) => {
      try { return compileQuery(text); } catch (e) {
        if (e instanceof HubError) throw badRequest(`metrics.queries.${name}: ${e.message}`);
        throw e;
      }
    };
    const sys = edge ? systemMetricQueries(record.id, record.targetCondition) : {};
    return {
      record,
      matches: compileTarget(record.targetCondition),
      edge,
      layered,
      systemQueries: Object.fromEntries(Object.entries(sys).map(([k, v]) => [k, compileQuery(v)])),
      customQueries: Object.fromEntries(Object.entries(record.metrics.queries).map(([k, v]) => [k, q(v, k)])),
    };
  }

  // ---- CRUD --------------------------------------------------------------------------------

  put(id: string, body: Json, ifMatchHeader: string | undefined): Json {
    this.state.validateConfigurationId(id);
    if (body.id !== undefined && body.id !== id) throw badRequest(`id in the body (${String(body.id)}) does not match the URL (${id})`);
    const ifMatch = normalizeIfMatch(ifMatchHeader);
    const existing = this.state.configurations.get(id);
    const content = validateContent(body.content);
    const priority = body.priority === undefined ? 0 : body.priority;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0) throw badRequest('priority must be a non-negative integer');
    const targetCondition = body.targetCondition === undefined || body.targetCondition === null ? '' : body.targetCondition;
    if (typeof targetCondition !== 'string') throw badRequest('targetCondition must be a string');
    const labels = body.labels ?? {};
    if (!isPlainObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) throw badRequest('labels must be an object of strings');
    const metrics = isPlainObject(body.metrics) && isPlainObject(body.metrics.queries) ? body.metrics.queries : {};
    for (const [k, v] of Object.entries(metrics)) if (typeof v !== 'string') throw badRequest(`metrics.queries.${k} must be a query string`);
    const t = new Date().toISOString();
    let record: ConfigurationRecord;
    if (!existing) {
      if (ifMatch !== undefined && ifMatch !== '*') throw new HubError(404, 'ConfigurationNotFound', `Configuration ${id} not found`, 404501);
      record = {
        id, schemaVersion: typeof body.schemaVersion === 'string' ? body.schemaVersion : '1.0', labels: labels as Record<string, string>, content,
        targetCondition, priority, createdTimeUtc: t, lastUpdatedTimeUtc: t, etag: this.state.nextEtag(),
        metrics: { queries: metrics as Record<string, string>, results: {} }, seq: this.state.nextSeq(),
      };
    } else {
      if (ifMatch === undefined) throw new HubError(409, 'ConfigurationAlreadyExists', `Configuration ${id} already exists`, 409501);
      if (ifMatch !== '*' && ifMatch !== existing.etag) throw preconditionFailed(`configuration ${id}`);
      if (JSON.stringify(existing.content) !== JSON.stringify(content)) {
        throw badRequest(`Configuration ${id}: content cannot be changed after creation; create a new configuration with a new id`, 'ConfigurationContentUpdateNotAllowed');
      }
      record = { ...existing, labels: labels as Record<string, string>, targetCondition, priority, lastUpdatedTimeUtc: t, etag: this.state.nextEtag(), metrics: { queries: metrics as Record<string, string>, results: {} } };
    }
    const compiled = this.compile(record); // validates condition and metric queries before anything is stored
    this.state.configurations.set(id, record);
    this.compiled.set(id, compiled);
    this.state.changed();
    this.state.emit('configuration', { id, kind: existing ? 'updated' : 'created' });
    this.scheduleAll();
    return this.render(compiled);
  }

  get(id: string): Json {
    const c = this.compiled.get(id);
    if (!c) throw new HubError(404, 'ConfigurationNotFound', `Configuration ${id} not found`, 404501);
    return this.render(c);
  }

  list(): Json[] {
    return [...this.compiled.values()].map((c) => this.render(c));
  }

  remove(id: string, ifMatchHeader: string | undefined): void {
    const c = this.compiled.get(id);
    if (!c) throw new HubError(404, 'ConfigurationNotFound', `Configuration ${id} not found`, 404501);
    const ifMatch = normalizeIfMatch(ifMatchHeader);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== c.record.etag) throw preconditionFailed(`configuration ${id}`);
    this.compiled.delete(id);
    this.state.configurations.delete(id);
    this.state.changed();
    this.state.emit('configuration', { id, kind: 'deleted' });
    this.scheduleAll();
  }

  private render(c: Compiled): Json {
    const r = c.record;
    const count = (qs: Record<string, CompiledQuery>) => Object.fromEntries(Object.entries(qs).map(([k, q]) => [k, q.count(this.source)]));
    const sysText = c.edge ? systemMetricQueries(r.id, r.targetCondition) : {};
    return {
      id: r.id, schemaVersion: r.schemaVersion, labels: deepClone(r.labels), content: deepClone(r.content), contentType: 'assignment',
      targetCondition: r.targetCondition, createdTimeUtc: r.createdTimeUtc, lastUpdatedTimeUtc: r.lastUpdatedTimeUtc, priority: r.priority,
      systemMetrics: { results: count(c.systemQueries), queries: sysText },
      metrics: { results: count(c.customQueries), queries: deepClone(r.metrics.queries) },
      etag: r.etag,
    };
  }

  /** POST /devices/{id}/applyConfigurationContent: write the content to the twins directly. */
  applyContent(deviceId: string, body: Json): void {
    const dev = this.state.getDevice(deviceId);
    const content = validateContent(body);
    if (content.modulesContent) {
      if (!dev.capabilities.iotEdge) throw badRequest(`Device ${deviceId} is not an IoT Edge device; modulesContent needs capabilities.iotEdge = true`);
      for (const [mod, entry] of Object.entries(content.modulesContent)) {
        const m = dev.modules[mod];
        const desired = (entry as Json)[DESIRED];
        if (m && isPlainObject(desired)) this.state.setDesired(m.twin, deepClone(desired), 'service');
      }
    }
    if (content.deviceContent) {
      const desired = (content.deviceContent as Json)[DESIRED];
      if (isPlainObject(desired)) this.state.setDesired(dev.twin, deepClone(desired), 'service');
    }
  }

  // ---- evaluation --------------------------------------------------------------------------

  private schedule(deviceId: string): void {
    if (this.delayMs <= 0) { const d = this.state.devices.get(deviceId); if (d) this.evaluateDevices([d]); return; }
    this.pendingDevices.add(deviceId);
    this.arm();
  }

  private scheduleAll(): void {
    if (this.delayMs <= 0) { this.evaluateAll(); return; }
    this.pendingAll = true;
    this.arm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pendingAll) this.evaluateAll();
      else this.evaluateDevices([...this.pendingDevices].map((id) => this.state.devices.get(id)).filter((d): d is DeviceRecord => !!d));
      this.pendingAll = false;
      this.pendingDevices.clear();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Stops pending timers (server shutdown). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  evaluateAll(): void {
    this.evaluateDevices(this.state.devices.values());
  }

  private evaluateDevices(devices: Iterable<DeviceRecord>): void {
    const edge = [...this.compiled.values()].filter((c) => c.edge);
    const bases = edge.filter((c) => !c.layered);
    const layers = edge.filter((c) => c.layered).sort((a, b) => a.record.priority - b.record.priority || a.record.seq - b.record.seq);
    // Merged module desired properties per combination of (base, layers), as JSON text.
    const mergedCache = new Map<string, Map<string, string>>();
    for (const dev of devices) {
      const statuses: Record<string, { status: 'Applied' | 'Targeted' }> = {};
      let base: Compiled | undefined;
      const applied: Compiled[] = [];
      if (dev.capabilities.iotEdge) {
        for (const c of bases) {
          if (!c.matches(dev.twin)) continue;
          statuses[c.record.id] = { status: 'Targeted' };
          if (!base || c.record.priority > base.record.priority || (c.record.priority === base.record.priority && c.record.seq > base.record.seq)) base = c;
        }
        for (const c of layers) if (c.matches(dev.twin)) applied.push(c);
      }
      if (base) statuses[base.record.id] = { status: 'Applied' };
      for (const c of applied) statuses[c.record.id] = { status: 'Applied' };
      if (base || applied.length) {
        const key = [base?.record.id ?? '', ...applied.map((c) => c.record.id)].join('\u0000');
        let merged = mergedCache.get(key);
        if (!merged) { merged = mergeContent(base, applied); mergedCache.set(key, merged); }
        for (const [mod, json] of merged) {
          const m = dev.modules[mod];
          if (!m) continue; // applied once the module identity exists (the agent creates it)
          if (JSON.stringify(withoutVersion(m.twin.properties.desired)) !== json) this.state.setDesired(m.twin, JSON.parse(json) as Json, 'deployment', true);
        }
      }
      this.writeStatuses(dev, statuses);
    }
  }

  /** configurations.{id}.status on the device twin and on $edgeAgent (what the metric queries read). */
  private writeStatuses(dev: DeviceRecord, statuses: Record<string, { status: 'Applied' | 'Targeted' }>): void {
    const text = JSON.stringify(statuses);
    const targets = [dev.twin, dev.modules.$edgeAgent?.twin].filter((t): t is TwinDoc => !!t);
    for (const tw of targets) {
      if (JSON.stringify(tw.configurations ?? {}) === text) continue;
      if (Object.keys(statuses).length) tw.configurations = JSON.parse(text) as TwinDoc['configurations'];
      else delete tw.configurations;
      this.state.bumpTwin(tw);
    }
  }
}

function mergeContent(base: Compiled | undefined, layers: Compiled[]): Map<string, string> {
  const out = new Map<string, Json>();
  if (base) {
    for (const [mod, entry] of Object.entries(base.record.content.modulesContent ?? {})) {
      const d = (entry as Json)[DESIRED];
      if (isPlainObject(d)) out.set(mod, deepClone(d));
    }
  }
  for (const layer of layers) {
    for (const [mod, entry] of Object.entries(layer.record.content.modulesContent ?? {})) {
      if (!isPlainObject(entry)) continue;
      let target = out.get(mod);
      if (!target) { target = {}; out.set(mod, target); }
      for (const [key, value] of Object.entries(entry)) {
        if (key === DESIRED && isPlainObject(value)) deepMerge(target, value);
        else if (key.startsWith(DESIRED + '.')) setPath(target, key.slice(DESIRED.length + 1).split('.'), deepClone(value));
      }
    }
  }
  return new Map([...out].map(([k, v]) => [k, JSON.stringify(v)]));
}

/** Content rules IoT Hub enforces, with the offending field named. */
function validateContent(content: unknown): ConfigurationRecord['content'] {
  if (!isPlainObject(content)) throw badRequest('content is required: an object with modulesContent, moduleContent or deviceContent');
  const kinds = ['modulesContent', 'moduleContent', 'deviceContent'].filter((k) => content[k] !== undefined && content[k] !== null);
  if (kinds.length !== 1) throw badRequest(`content must have exactly one of modulesContent, moduleContent, deviceContent (found: ${kinds.join(', ') || 'none'})`);
  const kind = kinds[0];
  const body = content[kind];
  if (!isPlainObject(body)) throw badRequest(`content.${kind} must be an object`);
  if (kind === 'modulesContent') {
    for (const [mod, entry] of Object.entries(body)) {
      if (!isPlainObject(entry)) throw badRequest(`content.modulesContent.${mod} must be an object`);
      for (const [key, value] of Object.entries(entry)) {
        if (key !== DESIRED && !key.startsWith(DESIRED + '.')) throw badRequest(`content.modulesContent.${mod}: unexpected key '${key}' (expected '${DESIRED}' or '${DESIRED}.<path>')`);
        if (key === DESIRED && !isPlainObject(value)) throw badRequest(`content.modulesContent.${mod}['${DESIRED}'] must be an object`);
      }
    }
    const agent = body.$edgeAgent;
    const base = isPlainObject(agent) && isPlainObject(agent[DESIRED]);
    if (base && !(isPlainObject(body.$edgeHub) && isPlainObject(body.$edgeHub[DESIRED]))) {
      throw badRequest(`content.modulesContent.$edgeHub['${DESIRED}'] is required in a (non-layered) deployment`);
    }
  }
  return { [kind]: deepClone(body) } as ConfigurationRecord['content'];
}
