import { HubDeployment } from './hub';

const DESIRED = 'properties.desired';
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Desired properties per module twin ($edgeAgent, $edgeHub, user modules) a device ends up with. */
export type Effective = Map<string, Obj>;

export function isLayeredContent(content: HubDeployment['content']): boolean {
  const agent = content?.modulesContent?.$edgeAgent;
  return !(isObj(agent) && isObj(agent[DESIRED]));
}

function deepMerge(target: Obj, src: Obj): void {
  for (const [k, v] of Object.entries(src)) {
    if (isObj(v) && isObj(target[k])) deepMerge(target[k] as Obj, v);
    else target[k] = clone(v);
  }
}

/** Layers apply in ascending priority (ties: older first), so the higher-priority / newer one wins a conflict. */
export function layerOrder(a: HubDeployment, b: HubDeployment): number {
  return (a.priority ?? 0) - (b.priority ?? 0) || String(a.createdTimeUtc ?? '').localeCompare(String(b.createdTimeUtc ?? ''));
}

/**
 * What IoT Hub writes to the module twins for a base deployment plus layered ones: the base's
 * `properties.desired`, then each layer's `properties.desired.<path>` set on top.
 */
export function effectiveDesired(base: HubDeployment['content'] | undefined, layers: HubDeployment['content'][]): Effective {
  const out: Effective = new Map();
  for (const [mod, entry] of Object.entries(base?.modulesContent ?? {})) {
    if (isObj(entry) && isObj(entry[DESIRED])) out.set(mod, clone(entry[DESIRED] as Obj));
  }
  for (const layer of layers) {
    for (const [mod, entry] of Object.entries(layer?.modulesContent ?? {})) {
      if (!isObj(entry)) continue;
      let target = out.get(mod);
      if (!target) { target = {}; out.set(mod, target); }
      for (const [key, value] of Object.entries(entry)) {
        if (key === DESIRED && isObj(value)) deepMerge(target, value);
        else if (key.startsWith(DESIRED + '.')) {
          const segs = key.slice(DESIRED.length + 1).split('.');
          let cur = target;
          for (const s of segs.slice(0, -1)) { if (!isObj(cur[s])) cur[s] = {}; cur = cur[s] as Obj; }
          cur[segs[segs.length - 1]] = clone(value);
        }
      }
    }
  }
  return out;
}
