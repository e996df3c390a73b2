/**
 * What the IoT Edge agent reads from its `$edgeAgent` desired properties and what it reports back
 * (lastDesiredVersion, lastDesiredStatus, runtime, systemModules, modules) — the shapes the smoke
 * test and the Azure portal read. Pure functions; the runtimes decide each module's fate.
 */
export type Json = Record<string, unknown>;
export type RuntimeStatus = 'running' | 'backoff' | 'stopped' | 'failed' | 'unknown';
export type RestartPolicy = 'never' | 'on-failure' | 'on-unhealthy' | 'always';

export interface ModuleSpec {
  name: string;
  image: string;
  createOptions: string;
  status: 'running' | 'stopped';
  restartPolicy: RestartPolicy;
  version?: string;
  env: Record<string, string>;
  imagePullPolicy: string;
  startupOrder?: number;
  /** Everything the agent would compare to decide whether the container must be recreated. */
  fingerprint: string;
}

export interface RegistryCredential { address: string; username: string; password: string }

export interface AgentSpec {
  version: number;
  schemaVersion: string;
  runtimeSettings: Json;
  edgeAgent: { image: string; createOptions: string };
  edgeHub: ModuleSpec;
  modules: ModuleSpec[];
  registryCredentials: RegistryCredential[];
}

export interface DesiredStatus { code: 200 | 400 | 406 | 412 | 417 | 500; description: string }

export class DesiredError extends Error {
  constructor(readonly status: DesiredStatus) { super(status.description); }
}

export interface ModuleState {
  runtimeStatus: RuntimeStatus;
  statusDescription: string;
  exitCode: number;
  restartCount: number;
  lastStartTimeUtc: string;
  lastExitTimeUtc: string;
  lastRestartTimeUtc: string;
  imageHash?: string;
}

export const NEVER = '0001-01-01T00:00:00Z';
export const AGENT_VERSION = '1.5.0';
const POLICIES: RestartPolicy[] = ['never', 'on-failure', 'on-unhealthy', 'always'];

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** createOptions may be a JSON string, an object (templates), or split into createOptions01… (long options). */
function createOptionsText(settings: Json): string {
  let s = settings.createOptions;
  if (typeof s === 'string') {
    for (let i = 1; typeof settings[`createOptions${String(i).padStart(2, '0')}`] === 'string'; i++) s += settings[`createOptions${String(i).padStart(2, '0')}`] as string;
    return s;
  }
  return s === undefined ? '{}' : JSON.stringify(s);
}

function moduleSpec(name: string, raw: unknown, where: string, system = false): ModuleSpec {
  const bad = (why: string) => new DesiredError({ code: 400, description: `${where}: ${why}` });
  if (!isObj(raw)) throw bad('must be an object');
  if (raw.type !== 'docker') throw bad(`type must be "docker", got ${JSON.stringify(raw.type)}`);
  const settings = raw.settings;
  if (!isObj(settings) || typeof settings.image !== 'string' || !settings.image.trim()) throw bad('settings.image is required');
  const status = raw.status ?? 'running';
  if (status !== 'running' && status !== 'stopped') throw bad(`status must be "running" or "stopped", got ${JSON.stringify(status)}`);
  const restartPolicy = (raw.restartPolicy ?? (system ? 'always' : undefined)) as RestartPolicy | undefined;
  if (!restartPolicy || !POLICIES.includes(restartPolicy)) throw bad(`restartPolicy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(raw.restartPolicy)}`);
  const env: Record<string, string> = {};
  if (raw.env !== undefined) {
    if (!isObj(raw.env)) throw bad('env must be an object');
    for (const [k, v] of Object.entries(raw.env)) {
      if (v === null) continue;
      if (!isObj(v) || v.value === undefined) throw bad(`env.${k} must be {"value": …}`);
      env[k] = String(v.value);
    }
  }
  const spec: ModuleSpec = {
    name, image: settings.image.trim(), createOptions: createOptionsText(settings), status, restartPolicy,
    version: typeof raw.version === 'string' ? raw.version : undefined, env,
    imagePullPolicy: typeof raw.imagePullPolicy === 'string' ? raw.imagePullPolicy : 'on-create',
    startupOrder: typeof raw.startupOrder === 'number' ? raw.startupOrder : undefined,
    fingerprint: '',
  };
  spec.fingerprint = JSON.stringify([spec.image, spec.createOptions, spec.status, spec.restartPolicy, spec.version, spec.env]);
  return spec;
}

/**
 * Validates `$edgeAgent` desired properties the way the agent does: 417 when there is no
 * deployment, 412 for an unsupported schemaVersion, 400 for a malformed one.
 */
export function parseAgentDesired(desired: Json): AgentSpec {
  const version = typeof desired.$version === 'number' ? desired.$version : 0;
  const keys = Object.keys(desired).filter((k) => k !== '$version' && k !== '$metadata');
  if (keys.length === 0) throw new DesiredError({ code: 417, description: 'The device does not have a deployment (empty desired properties)' });
  const sv = desired.schemaVersion;
  if (typeof sv !== 'string') throw new DesiredError({ code: 400, description: 'schemaVersion is missing' });
  if (!/^1\.[01](\.\d+)?$/.test(sv)) throw new DesiredError({ code: 412, description: `Desired properties schema version ${sv} is not compatible with the expected version 1.1` });
  const runtime = desired.runtime;
  if (!isObj(runtime) || runtime.type !== 'docker') throw new DesiredError({ code: 400, description: 'runtime.type must be "docker"' });
  const runtimeSettings = isObj(runtime.settings) ? runtime.settings : {};
  const sys = desired.systemModules;
  if (!isObj(sys) || !isObj(sys.edgeAgent) || !isObj(sys.edgeHub)) throw new DesiredError({ code: 400, description: 'systemModules.edgeAgent and systemModules.edgeHub are required' });
  const agentSettings = isObj(sys.edgeAgent.settings) ? sys.edgeAgent.settings : {};
  if (typeof agentSettings.image !== 'string') throw new DesiredError({ code: 400, description: 'systemModules.edgeAgent.settings.image is required' });
  const edgeHub = moduleSpec('edgeHub', sys.edgeHub, 'systemModules.edgeHub', true);
  const modules: ModuleSpec[] = [];
  if (desired.modules !== undefined && desired.modules !== null) {
    if (!isObj(desired.modules)) throw new DesiredError({ code: 400, description: 'modules must be an object' });
    for (const [name, raw] of Object.entries(desired.modules)) if (raw !== null) modules.push(moduleSpec(name, raw, `modules.${name}`));
  }
  const registryCredentials: RegistryCredential[] = [];
  if (isObj(runtimeSettings.registryCredentials)) {
    for (const [name, c] of Object.entries(runtimeSettings.registryCredentials)) {
      if (!isObj(c) || typeof c.address !== 'string') throw new DesiredError({ code: 400, description: `runtime.settings.registryCredentials.${name}.address is required` });
      registryCredentials.push({ address: c.address, username: String(c.username ?? ''), password: String(c.password ?? '') });
    }
  }
  return { version, schemaVersion: sv, runtimeSettings, edgeAgent: { image: agentSettings.image, createOptions: createOptionsText(agentSettings) }, edgeHub, modules, registryCredentials };
}

export interface ReportInput {
  lastDesiredVersion: number;
  status: DesiredStatus;
  /** The deployment in force (the last valid one), undefined before any. */
  spec?: AgentSpec;
  states: Map<string, ModuleState>;
  agentStart: string;
  architecture: string;
}

function moduleReport(m: ModuleSpec, st: ModuleState | undefined): Json {
  const settings: Json = { image: m.image, createOptions: m.createOptions };
  if (st?.imageHash) settings.imageHash = st.imageHash;
  const env: Json = {};
  for (const [k, v] of Object.entries(m.env)) env[k] = { value: v };
  const out: Json = {
    type: 'docker', settings, env, status: m.status, restartPolicy: m.restartPolicy, imagePullPolicy: m.imagePullPolicy,
    exitCode: st?.exitCode ?? 0, statusDescription: st?.statusDescription ?? '', lastStartTimeUtc: st?.lastStartTimeUtc ?? NEVER,
    lastExitTimeUtc: st?.lastExitTimeUtc ?? NEVER, restartCount: st?.restartCount ?? 0, lastRestartTimeUtc: st?.lastRestartTimeUtc ?? NEVER,
    runtimeStatus: st?.runtimeStatus ?? 'unknown',
  };
  if (m.version !== undefined) out.version = m.version;
  if (m.startupOrder !== undefined) out.startupOrder = m.startupOrder;
  return out;
}

/** The full reported document the agent maintains (secrets such as registry passwords left out). */
export function buildReported(r: ReportInput): Json {
  const spec = r.spec;
  const { registryCredentials: _omit, ...settings } = spec?.runtimeSettings ?? {};
  void _omit;
  const out: Json = {
    schemaVersion: '1.1',
    version: { version: AGENT_VERSION, build: 'edgeops-simulator', commit: 'edgeops' },
    lastDesiredVersion: r.lastDesiredVersion,
    lastDesiredStatus: { code: r.status.code, description: r.status.description },
    runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25', ...settings }, platform: { os: 'linux', architecture: r.architecture, version: AGENT_VERSION } },
  };
  if (!spec) return out;
  out.systemModules = {
    edgeAgent: {
      type: 'docker', settings: { image: spec.edgeAgent.image, createOptions: spec.edgeAgent.createOptions }, runtimeStatus: 'running', exitCode: 0,
      statusDescription: 'running', lastStartTimeUtc: r.agentStart, lastExitTimeUtc: NEVER, imagePullPolicy: 'on-create',
    },
    edgeHub: moduleReport(spec.edgeHub, r.states.get('$edgeHub')),
  };
  const modules: Json = {};
  for (const m of spec.modules) {
    const st = r.states.get(m.name);
    if (st) modules[m.name] = moduleReport(m, st); // a module not created yet is not reported (as the agent does)
  }
  out.modules = modules;
  return out;
}

/** JSON merge patch from `from` to `to` (nulls delete), undefined when equal. */
export function diff(from: unknown, to: unknown): unknown {
  if (isObj(from) && isObj(to)) {
    const out: Json = {};
    for (const k of Object.keys(from)) if (!(k in to)) out[k] = null;
    for (const [k, v] of Object.entries(to)) {
      const d = k in from ? diff(from[k], v) : v;
      if (d !== undefined) out[k] = d;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
}
