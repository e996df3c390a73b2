import { canonicalJson } from './canonical';
import { Effective } from './effective';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type DiffArea = 'module' | 'system module' | 'route' | 'desired property';

export interface DiffItem {
  area: DiffArea;
  /** Module, route or `<module>.<property path>`. */
  name: string;
  /** image, createOptions, env, restartPolicy, status, version, '' for a whole route or property. */
  field: string;
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

const MODULE_FIELDS = ['image', 'createOptions', 'env', 'restartPolicy', 'status', 'version', 'startupOrder'] as const;

/** createOptions plus createOptions01… chunks, as one canonical JSON string when it parses. */
function createOptionsOf(settings: Obj): string | undefined {
  if (typeof settings.createOptions !== 'string') return undefined;
  let s = settings.createOptions;
  for (let i = 1; i < 100; i++) {
    const part = settings[`createOptions${String(i).padStart(2, '0')}`];
    if (typeof part !== 'string') break;
    s += part;
  }
  try { return canonicalJson(JSON.parse(s)); } catch { return s; }
}

function moduleFields(m: Obj): Record<string, string | undefined> {
  const settings = isObj(m.settings) ? m.settings : {};
  const text = (v: unknown) => (v === undefined ? undefined : typeof v === 'string' ? v : canonicalJson(v));
  return {
    image: text(settings.image),
    createOptions: createOptionsOf(settings),
    env: text(m.env),
    restartPolicy: text(m.restartPolicy),
    status: text(m.status),
    version: text(m.version),
    startupOrder: text(m.startupOrder),
  };
}

function diffModules(area: DiffArea, before: Obj, after: Obj, out: DiffItem[]): void {
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const b = isObj(before[name]) ? moduleFields(before[name] as Obj) : undefined;
    const a = isObj(after[name]) ? moduleFields(after[name] as Obj) : undefined;
    if (!b && a) { out.push({ area, name, field: 'image', change: 'added', after: a.image }); continue; }
    if (b && !a) { out.push({ area, name, field: 'image', change: 'removed', before: b.image }); continue; }
    for (const f of MODULE_FIELDS) {
      if (b![f] === a![f]) continue;
      out.push({ area, name, field: f, change: b![f] === undefined ? 'added' : a![f] === undefined ? 'removed' : 'changed', before: b![f], after: a![f] });
    }
  }
}

/** Leaf paths of an object → canonical text of the value. */
function leaves(v: unknown, prefix: string, out: Map<string, string>): void {
  if (isObj(v) && Object.keys(v).length > 0) {
    for (const [k, c] of Object.entries(v)) leaves(c, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, typeof v === 'string' ? v : canonicalJson(v));
}

function diffLeaves(area: DiffArea, owner: string, before: unknown, after: unknown, out: DiffItem[]): void {
  const b = new Map<string, string>();
  const a = new Map<string, string>();
  leaves(before, '', b);
  leaves(after, '', a);
  for (const k of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    if (b.get(k) === a.get(k)) continue;
    const name = owner ? `${owner}.${k}` : k;
    out.push({ area, name, field: '', change: !b.has(k) ? 'added' : !a.has(k) ? 'removed' : 'changed', before: b.get(k), after: a.get(k) });
  }
}

const routeText = (r: unknown) => (typeof r === 'string' ? r : canonicalJson(r));

/**
 * What changes on a device going from one effective configuration to another: module images,
 * createOptions, env, restart policies, system-module images (versions), routes, and the
 * desired properties of every other module twin.
 */
export function diffEffective(before: Effective, after: Effective): DiffItem[] {
  const out: DiffItem[] = [];
  const agentB = before.get('$edgeAgent') ?? {};
  const agentA = after.get('$edgeAgent') ?? {};
  const sys = (o: Obj) => (isObj(o.systemModules) ? o.systemModules : {});
  const mods = (o: Obj) => (isObj(o.modules) ? o.modules : {});
  diffModules('system module', sys(agentB), sys(agentA), out);
  diffModules('module', mods(agentB), mods(agentA), out);
  const hubB = before.get('$edgeHub') ?? {};
  const hubA = after.get('$edgeHub') ?? {};
  const routesB = isObj(hubB.routes) ? hubB.routes : {};
  const routesA = isObj(hubA.routes) ? hubA.routes : {};
  for (const name of [...new Set([...Object.keys(routesB), ...Object.keys(routesA)])].sort()) {
    const b = name in routesB ? routeText(routesB[name]) : undefined;
    const a = name in routesA ? routeText(routesA[name]) : undefined;
    if (b !== a) out.push({ area: 'route', name, field: '', change: b === undefined ? 'added' : a === undefined ? 'removed' : 'changed', before: b, after: a });
  }
  const { routes: _rb, ...restB } = hubB;
  const { routes: _ra, ...restA } = hubA;
  void _rb; void _ra;
  diffLeaves('desired property', '$edgeHub', restB, restA, out);
  for (const mod of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    if (mod === '$edgeAgent' || mod === '$edgeHub') continue;
    diffLeaves('desired property', mod, before.get(mod), after.get(mod), out);
  }
  return out;
}
