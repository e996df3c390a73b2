import { AggregateInputError, InputError, SourceLocation } from '../../shared/core/errors';
import { isMap, joinPath, where, YamlMap, YamlValue } from './source';

/**
 * The typed pipeline the runner executes, built from the expanded YAML. Building it is
 * also the validation: every unknown or unsupported key is reported with its YAML path
 * and line:column before anything runs.
 */

export interface VarDef { name: string; value: string; readonly: boolean; loc: SourceLocation }

export interface StepBase {
  path: string;
  loc: SourceLocation;
  name?: string;
  displayName: string;
  condition?: string;
  continueOnError: boolean;
  enabled: boolean;
  timeoutMinutes?: number;
  retryCount: number;
  env: Record<string, string>;
  /** Deployment lifecycle hook the step belongs to (deploy, preDeploy, on.failure …). */
  hook?: string;
}

export type Step = StepBase & (
  | { kind: 'script'; script: string; workingDirectory?: string; failOnStderr: boolean }
  | { kind: 'checkout'; repo: string }
  | { kind: 'task'; task: string; major: number; inputs: Record<string, string>; inputLocs: Record<string, SourceLocation> }
  | { kind: 'publish'; artifact?: string; source: string }
  | { kind: 'download'; source: string; artifact?: string; patterns?: string; targetPath?: string }
);

export interface Job {
  name: string;
  displayName: string;
  path: string;
  loc: SourceLocation;
  dependsOn?: string[];
  condition?: string;
  continueOnError: boolean;
  timeoutMinutes?: number;
  variables: VarDef[];
  steps: Step[];
  deployment?: { environment: string; resourceName?: string; onSuccess: Step[]; onFailure: Step[] };
}

export interface Stage {
  name: string;
  displayName: string;
  path: string;
  loc: SourceLocation;
  dependsOn?: string[];
  condition?: string;
  variables: VarDef[];
  jobs: Job[];
}

export interface Pipeline {
  file: string;
  name?: string;
  variables: VarDef[];
  stages: Stage[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Checker {
  readonly errors: InputError[] = [];
  constructor(readonly file: string) {}
  fail(parent: unknown, key: string | number | undefined, p: string, msg: string, hint?: string): void {
    this.errors.push(new InputError(msg, { file: this.file, ...where(parent, key, p) }, hint));
  }
  unsupported(parent: unknown, key: string | number, p: string, what: string, hint?: string): void {
    this.fail(parent, key, p, `${what} is not supported by the local runner`, hint);
  }
  keys(m: YamlMap, p: string, allowed: string[], unsupported: Record<string, string> = {}): void {
    for (const k of Object.keys(m)) {
      const kp = joinPath(p, k);
      if (unsupported[k]) this.unsupported(m, k, kp, unsupported[k]);
      else if (!allowed.includes(k)) this.fail(m, k, kp, `Unexpected key '${k}' (allowed here: ${allowed.join(', ')})`);
    }
  }
  str(m: YamlMap, k: string, p: string): string | undefined {
    const v = m[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'object') { this.fail(m, k, joinPath(p, k), `'${k}' must be a single value`); return undefined; }
    return String(v);
  }
  bool(m: YamlMap, k: string, p: string, def: boolean): boolean {
    const v = m[k];
    if (v === undefined || v === null) return def;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    this.fail(m, k, joinPath(p, k), `'${k}' must be true or false`);
    return def;
  }
  num(m: YamlMap, k: string, p: string): number | undefined {
    const v = m[k];
    if (v === undefined || v === null) return undefined;
    const n = Number(v);
    if (typeof v === 'boolean' || Number.isNaN(n) || n < 0) { this.fail(m, k, joinPath(p, k), `'${k}' must be a non-negative number`); return undefined; }
    return n;
  }
  name(m: YamlMap, k: string, p: string): string | undefined {
    const v = this.str(m, k, p);
    if (v !== undefined && !NAME.test(v)) this.fail(m, k, joinPath(p, k), `'${v}' is not a valid name (letters, digits and _, not starting with a digit)`);
    return v;
  }
  list(m: YamlMap, k: string, p: string): YamlValue[] {
    const v = m[k];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) { this.fail(m, k, joinPath(p, k), `'${k}' must be a list`); return []; }
    return v;
  }
  dependsOn(m: YamlMap, p: string): string[] | undefined {
    const v = m.dependsOn;
    if (v === undefined) return undefined;
    if (v === null) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    this.fail(m, 'dependsOn', joinPath(p, 'dependsOn'), 'dependsOn must be a name or a list of names');
    return [];
  }
}

export function buildPipeline(root: YamlMap, file: string): Pipeline {
  const c = new Checker(file);
  c.keys(root, '', ['name', 'trigger', 'pr', 'schedules', 'resources', 'variables', 'pool', 'stages', 'jobs', 'steps',
    'lockBehavior', 'appendCommitMessageToRunName', 'workspace'], {
    extends: 'extends: (pipeline templates that wrap the whole pipeline)',
    container: 'A container job (container:)',
    services: 'Service containers (services:)',
    strategy: 'A matrix/parallel strategy',
  });
  checkResources(c, root);
  checkPool(c, root, '');
  const variables = buildVariables(c, root, '');
  const forms = ['stages', 'jobs', 'steps'].filter((k) => root[k] !== undefined);
  if (forms.length === 0 && root.extends === undefined) c.fail(root, undefined, '', 'The pipeline has no stages:, jobs: or steps:');
  if (forms.length > 1) c.fail(root, forms[1], forms[1], `Use only one of stages:, jobs: or steps: at the top level (found ${forms.join(', ')})`);
  let stages: Stage[] = [];
  if (root.stages !== undefined) {
    stages = c.list(root, 'stages', '').map((s, i) => buildStage(c, s, joinPath('stages', i), root.stages as YamlValue[], i)).filter((s): s is Stage => !!s);
  } else {
    const jobs = root.jobs !== undefined
      ? c.list(root, 'jobs', '').map((j, i) => buildJob(c, j, joinPath('jobs', i), root.jobs as YamlValue[], i)).filter((j): j is Job => !!j)
      : [implicitJob(c, root)];
    stages = [{ name: '__default', displayName: '__default', path: '', loc: { file }, variables: [], jobs }];
  }
  checkNames(c, stages.map((s) => ({ name: s.name, loc: s.loc, path: s.path })), 'stage');
  checkDeps(c, stages, 'stage');
  for (const s of stages) {
    checkNames(c, s.jobs.map((j) => ({ name: j.name, loc: j.loc, path: j.path })), 'job');
    checkDeps(c, s.jobs, 'job');
    for (const j of s.jobs) {
      const all = [...j.steps, ...(j.deployment?.onFailure ?? []), ...(j.deployment?.onSuccess ?? [])];
      checkNames(c, all.filter((st) => st.name).map((st) => ({ name: st.name as string, loc: st.loc, path: st.path })), 'step');
    }
  }
  if (c.errors.length === 1) throw c.errors[0];
  if (c.errors.length > 1) throw new AggregateInputError(`${c.errors.length} problems in ${file}:`, c.errors);
  return { file, name: typeof root.name === 'string' ? root.name : undefined, variables, stages };
}

function checkResources(c: Checker, root: YamlMap): void {
  const r = root.resources;
  if (r === undefined || r === null) return;
  if (!isMap(r)) { c.fail(root, 'resources', 'resources', 'resources must be a mapping'); return; }
  for (const k of Object.keys(r)) {
    if (k !== 'repositories') c.unsupported(r, k, `resources.${k}`, `resources.${k}`, 'Only the current repository is available locally.');
  }
}

function checkPool(c: Checker, m: YamlMap, p: string): void {
  const pool = m.pool;
  if (pool === undefined || pool === null || typeof pool === 'string') return;
  if (!isMap(pool)) { c.fail(m, 'pool', joinPath(p, 'pool'), 'pool must be a name or a mapping'); return; }
  c.keys(pool, joinPath(p, 'pool'), ['name', 'vmImage'], { demands: 'Pool demands (pool.demands)' });
}

function buildVariables(c: Checker, m: YamlMap, p: string): VarDef[] {
  const v = m.variables;
  const vp = joinPath(p, 'variables');
  const out: VarDef[] = [];
  if (v === undefined || v === null) return out;
  const scalar = (val: YamlValue, parent: object, key: string | number, kp: string): string | undefined => {
    if (val === null) return '';
    if (typeof val === 'object') { c.fail(parent, key, kp, 'A variable value must be a single value'); return undefined; }
    return typeof val === 'boolean' ? (val ? 'True' : 'False') : String(val);
  };
  if (isMap(v)) {
    for (const [k, val] of Object.entries(v)) {
      const s = scalar(val, v, k, joinPath(vp, k));
      if (s !== undefined) out.push({ name: k, value: s, readonly: false, loc: { file: c.file, ...where(v, k, joinPath(vp, k)) } });
    }
    return out;
  }
  if (!Array.isArray(v)) { c.fail(m, 'variables', vp, 'variables must be a mapping or a list'); return out; }
  v.forEach((item, i) => {
    const ip = joinPath(vp, i);
    if (!isMap(item)) { c.fail(v, i, ip, 'Expected name:/value: (or group:/template:)'); return; }
    if (item.group !== undefined) { c.unsupported(v, i, ip, `Variable groups (group: ${String(item.group)})`, 'Pass the values with --var name=value (secrets with --secret).'); return; }
    c.keys(item, ip, ['name', 'value', 'readonly']);
    const name = c.str(item, 'name', ip);
    if (!name) { c.fail(v, i, ip, 'A variable needs a name'); return; }
    const s = scalar(item.value ?? '', item, 'value', joinPath(ip, 'value'));
    if (s !== undefined) out.push({ name, value: s, readonly: c.bool(item, 'readonly', ip, false), loc: { file: c.file, ...where(v, i, ip) } });
  });
  return out;
}

function buildStage(c: Checker, s: YamlValue, p: string, parent: YamlValue[], i: number): Stage | undefined {
  if (!isMap(s) || s.stage === undefined) { c.fail(parent, i, p, 'Expected a stage (stage: name)'); return undefined; }
  c.keys(s, p, ['stage', 'displayName', 'dependsOn', 'condition', 'variables', 'jobs', 'pool', 'lockBehavior', 'trigger', 'isSkippable', 'templateContext']);
  checkPool(c, s, p);
  const name = c.name(s, 'stage', p) ?? `stage${i}`;
  return {
    name,
    displayName: c.str(s, 'displayName', p) ?? name,
    path: p,
    loc: { file: c.file, ...where(parent, i, p) },
    dependsOn: c.dependsOn(s, p),
    condition: c.str(s, 'condition', p),
    variables: buildVariables(c, s, p),
    jobs: c.list(s, 'jobs', p).map((j, k) => buildJob(c, j, joinPath(joinPath(p, 'jobs'), k), s.jobs as YamlValue[], k)).filter((j): j is Job => !!j),
  };
}

function implicitJob(c: Checker, root: YamlMap): Job {
  return {
    name: 'Job', displayName: 'Job', path: '', loc: { file: c.file }, continueOnError: false, variables: [],
    steps: buildSteps(c, root, ''),
  };
}

const JOB_COMMON = ['displayName', 'dependsOn', 'condition', 'continueOnError', 'timeoutInMinutes', 'cancelTimeoutInMinutes',
  'variables', 'pool', 'workspace', 'templateContext'];
const JOB_UNSUPPORTED = { container: 'A container job (container:)', services: 'Service containers (services:)', uses: 'uses: (repository/pool resources)' };

function buildJob(c: Checker, j: YamlValue, p: string, parent: YamlValue[], i: number): Job | undefined {
  if (!isMap(j) || (j.job === undefined && j.deployment === undefined)) {
    c.fail(parent, i, p, 'Expected a job (job: name) or a deployment job (deployment: name)');
    return undefined;
  }
  checkPool(c, j, p);
  const isDeploy = j.deployment !== undefined;
  const base = {
    displayName: '',
    path: p,
    loc: { file: c.file, ...where(parent, i, p) },
    dependsOn: c.dependsOn(j, p),
    condition: c.str(j, 'condition', p),
    continueOnError: c.bool(j, 'continueOnError', p, false),
    timeoutMinutes: c.num(j, 'timeoutInMinutes', p),
    variables: buildVariables(c, j, p),
  };
  if (!isDeploy) {
    c.keys(j, p, ['job', ...JOB_COMMON, 'steps'], { ...JOB_UNSUPPORTED, strategy: 'A matrix/parallel strategy (strategy:)' });
    const name = c.name(j, 'job', p) ?? `job${i}`;
    return { ...base, name, displayName: c.str(j, 'displayName', p) ?? name, steps: buildSteps(c, j, p) };
  }
  c.keys(j, p, ['deployment', ...JOB_COMMON, 'environment', 'strategy'], JOB_UNSUPPORTED);
  const name = c.name(j, 'deployment', p) ?? `deployment${i}`;
  const env = parseEnvironment(c, j, p);
  const strategy = j.strategy;
  const sp = joinPath(p, 'strategy');
  const steps: Step[] = [];
  const onSuccess: Step[] = [];
  const onFailure: Step[] = [];
  if (!isMap(strategy)) {
    c.fail(j, strategy === undefined ? undefined : 'strategy', sp, 'A deployment job needs strategy: runOnce: deploy: steps:');
  } else {
    c.keys(strategy, sp, ['runOnce'], { rolling: 'The rolling deployment strategy', canary: 'The canary deployment strategy' });
    const ro = strategy.runOnce;
    const rp = joinPath(sp, 'runOnce');
    if (isMap(ro)) {
      c.keys(ro, rp, ['preDeploy', 'deploy', 'routeTraffic', 'postRouteTraffic', 'on']);
      for (const hook of ['preDeploy', 'deploy', 'routeTraffic', 'postRouteTraffic']) {
        const h = ro[hook];
        if (h === undefined || h === null) continue;
        if (!isMap(h)) { c.fail(ro, hook, joinPath(rp, hook), `${hook} must be a mapping with steps:`); continue; }
        c.keys(h, joinPath(rp, hook), ['steps', 'pool']);
        steps.push(...buildSteps(c, h, joinPath(rp, hook), hook));
      }
      if (ro.on !== undefined && isMap(ro.on)) {
        const op = joinPath(rp, 'on');
        c.keys(ro.on, op, ['success', 'failure']);
        for (const [k, list] of [['success', onSuccess], ['failure', onFailure]] as const) {
          const h = ro.on[k];
          if (isMap(h)) { c.keys(h, joinPath(op, k), ['steps', 'pool']); list.push(...buildSteps(c, h, joinPath(op, k), `on.${k}`)); }
        }
      }
    } else if (strategy.rolling === undefined && strategy.canary === undefined) {
      c.fail(strategy, 'runOnce', rp, 'strategy.runOnce must be a mapping with deploy: steps:');
    }
  }
  return {
    ...base, name, displayName: c.str(j, 'displayName', p) ?? name, steps,
    deployment: { environment: env.name, resourceName: env.resourceName, onSuccess, onFailure },
  };
}

function parseEnvironment(c: Checker, j: YamlMap, p: string): { name: string; resourceName?: string } {
  const e = j.environment;
  const ep = joinPath(p, 'environment');
  if (typeof e === 'string' && e) {
    const [name, resourceName] = e.split('.');
    return { name, resourceName };
  }
  if (isMap(e)) {
    c.keys(e, ep, ['name', 'resourceName', 'resourceType', 'resourceId', 'tags']);
    const name = c.str(e, 'name', ep);
    if (name) return { name, resourceName: c.str(e, 'resourceName', ep) };
  }
  c.fail(j, e === undefined ? undefined : 'environment', ep, 'A deployment job needs environment: <name>');
  return { name: '' };
}

const STEP_COMMON = ['displayName', 'name', 'condition', 'continueOnError', 'enabled', 'env', 'timeoutInMinutes', 'retryCountOnTaskFailure'];
const STEP_UNSUPPORTED: Record<string, string> = {
  target: 'Step targets (target:)',
  pwsh: 'PowerShell steps (pwsh:)',
  powershell: 'PowerShell steps (powershell:)',
  getPackage: 'getPackage steps',
  reviewApp: 'reviewApp steps',
  downloadBuild: 'downloadBuild steps',
  restoreCache: 'restoreCache steps',
  template: 'A template reference that could not be expanded',
};

function buildSteps(c: Checker, m: YamlMap, p: string, hook?: string): Step[] {
  return c.list(m, 'steps', p).map((s, i) => buildStep(c, s, joinPath(joinPath(p, 'steps'), i), m.steps as YamlValue[], i, hook))
    .filter((s): s is Step => !!s);
}

function buildStep(c: Checker, s: YamlValue, p: string, parent: YamlValue[], i: number, hook?: string): Step | undefined {
  if (!isMap(s)) { c.fail(parent, i, p, 'Expected a step (script:, bash:, task:, checkout:, publish: or download:)'); return undefined; }
  const kind = ['script', 'bash', 'task', 'checkout', 'publish', 'download'].find((k) => s[k] !== undefined);
  if (!kind) {
    const k = Object.keys(s).find((x) => STEP_UNSUPPORTED[x]);
    if (k) c.unsupported(s, k, joinPath(p, k), STEP_UNSUPPORTED[k]);
    else c.fail(parent, i, p, `Unknown step kind (keys: ${Object.keys(s).join(', ')})`);
    return undefined;
  }
  const env: Record<string, string> = {};
  if (s.env !== undefined && s.env !== null) {
    if (!isMap(s.env)) c.fail(s, 'env', joinPath(p, 'env'), 'env must be a mapping');
    else for (const [k, v] of Object.entries(s.env)) {
      if (v !== null && typeof v === 'object') c.fail(s.env, k, joinPath(p, `env.${k}`), 'An env value must be a single value');
      else env[k] = v === null ? '' : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    }
  }
  const name = c.name(s, 'name', p);
  const base: StepBase = {
    path: p,
    loc: { file: c.file, ...where(parent, i, p) },
    name,
    displayName: c.str(s, 'displayName', p) ?? '',
    condition: c.str(s, 'condition', p),
    continueOnError: c.bool(s, 'continueOnError', p, false),
    enabled: c.bool(s, 'enabled', p, true),
    timeoutMinutes: c.num(s, 'timeoutInMinutes', p),
    retryCount: c.num(s, 'retryCountOnTaskFailure', p) ?? 0,
    env,
    hook,
  };
  switch (kind) {
    case 'script': case 'bash': {
      c.keys(s, p, [kind, ...STEP_COMMON, 'workingDirectory', 'failOnStderr'], STEP_UNSUPPORTED);
      const script = c.str(s, kind, p) ?? '';
      return { ...base, displayName: base.displayName || firstLine(kind === 'bash' ? 'Bash' : 'CmdLine', script), kind: 'script', script,
        workingDirectory: c.str(s, 'workingDirectory', p), failOnStderr: c.bool(s, 'failOnStderr', p, false) };
    }
    case 'checkout': {
      c.keys(s, p, ['checkout', ...STEP_COMMON, 'clean', 'fetchDepth', 'fetchFilter', 'fetchTags', 'lfs', 'submodules', 'path',
        'persistCredentials', 'sparseCheckoutDirectories', 'sparseCheckoutPatterns', 'workspaceRepo'], STEP_UNSUPPORTED);
      const repo = c.str(s, 'checkout', p) ?? 'self';
      if (repo !== 'self' && repo !== 'none') c.unsupported(s, 'checkout', joinPath(p, 'checkout'), `Checking out another repository (checkout: ${repo})`);
      return { ...base, displayName: base.displayName || `Checkout ${repo}`, kind: 'checkout', repo };
    }
    case 'publish': {
      c.keys(s, p, ['publish', 'artifact', ...STEP_COMMON], STEP_UNSUPPORTED);
      const source = c.str(s, 'publish', p) ?? '';
      return { ...base, displayName: base.displayName || `Publish ${source}`, kind: 'publish', source, artifact: c.str(s, 'artifact', p) };
    }
    case 'download': {
      c.keys(s, p, ['download', 'artifact', 'patterns', 'path', ...STEP_COMMON], STEP_UNSUPPORTED);
      const source = c.str(s, 'download', p) ?? 'current';
      if (source !== 'current' && source !== 'none') c.unsupported(s, 'download', joinPath(p, 'download'), `Downloading from pipeline resource '${source}'`);
      return { ...base, displayName: base.displayName || `Download ${c.str(s, 'artifact', p) ?? 'artifacts'}`, kind: 'download', source,
        artifact: c.str(s, 'artifact', p), patterns: c.str(s, 'patterns', p), targetPath: c.str(s, 'path', p) };
    }
    default: {
      c.keys(s, p, ['task', 'inputs', ...STEP_COMMON], STEP_UNSUPPORTED);
      const ref = c.str(s, 'task', p) ?? '';
      const m = /^([A-Za-z0-9_.-]+)@(\d+)$/.exec(ref);
      if (!m) { c.fail(s, 'task', joinPath(p, 'task'), `'${ref}' is not a task reference (expected Name@major, e.g. IoTEdgeDeploy@0)`); return undefined; }
      const inputs: Record<string, string> = {};
      const inputLocs: Record<string, SourceLocation> = {};
      const raw = s.inputs;
      if (raw !== undefined && raw !== null) {
        if (!isMap(raw)) c.fail(s, 'inputs', joinPath(p, 'inputs'), 'inputs must be a mapping');
        else for (const [k, v] of Object.entries(raw)) {
          inputLocs[k] = { file: c.file, ...where(raw, k, joinPath(p, `inputs.${k}`)) };
          if (v !== null && typeof v === 'object') c.fail(raw, k, joinPath(p, `inputs.${k}`), 'An input value must be a single value (use a multi-line string for lists)');
          else inputs[k] = v === null ? '' : typeof v === 'boolean' ? String(v) : String(v);
        }
      }
      return { ...base, displayName: base.displayName || m[1], kind: 'task', task: m[1], major: Number(m[2]), inputs, inputLocs };
    }
  }
}

function firstLine(prefix: string, script: string): string {
  const line = script.split('\n').find((l) => l.trim()) ?? '';
  return `${prefix}: ${line.trim().slice(0, 60)}`;
}

function checkNames(c: Checker, items: { name: string; loc: SourceLocation; path: string }[], what: string): void {
  const seen = new Map<string, string>();
  for (const it of items) {
    const key = it.name.toLowerCase();
    if (seen.has(key)) c.errors.push(new InputError(`Duplicate ${what} name '${it.name}' (also at ${seen.get(key)})`, { ...it.loc, field: it.path }));
    else seen.set(key, it.path || it.name);
  }
}

function checkDeps(c: Checker, items: { name: string; dependsOn?: string[]; loc: SourceLocation; path: string }[], what: string): void {
  const names = new Map(items.map((x) => [x.name.toLowerCase(), x]));
  for (const it of items) {
    for (const d of it.dependsOn ?? []) {
      if (!names.has(d.toLowerCase())) c.errors.push(new InputError(`${what} '${it.name}' depends on unknown ${what} '${d}'`, { ...it.loc, field: joinPath(it.path, 'dependsOn') }));
    }
  }
  // Cycle check on the explicit graph (implicit stage order can't form cycles).
  const state = new Map<string, number>();
  const visit = (n: string, trail: string[]): void => {
    const st = state.get(n);
    if (st === 2) return;
    const it = names.get(n);
    if (st === 1) { if (it) c.errors.push(new InputError(`Dependency cycle: ${[...trail, it.name].join(' → ')}`, { ...it.loc, field: joinPath(it.path, 'dependsOn') })); return; }
    state.set(n, 1);
    for (const d of it?.dependsOn ?? []) if (names.has(d.toLowerCase())) visit(d.toLowerCase(), [...trail, it?.name ?? n]);
    state.set(n, 2);
  };
  for (const n of names.keys()) visit(n, []);
}
