/**
 * Where modules live in a deployment (template or manifest): `modulesContent` (or the
 * legacy `moduleContent`, or `content.modulesContent` as in `az iot edge deployment`
 * files), with user modules under `properties.desired.modules`, system modules under
 * `properties.desired.systemModules`, and layered deployments' flattened
 * `properties.desired.modules.<name>` keys.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface ModuleEntry {
  name: string;
  kind: 'user' | 'system';
  /** JSON pointer of the module object in the document. */
  pointer: string;
  value: JsonObject;
  /** Declared through a flattened `properties.desired.modules.<name>` key. */
  layered: boolean;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The modulesContent object and its pointer, or undefined when the document has none. */
export function findModulesContent(doc: unknown): { content: JsonObject; pointer: string } | undefined {
  if (!isObject(doc)) return undefined;
  if (isObject(doc.modulesContent)) return { content: doc.modulesContent, pointer: '/modulesContent' };
  if (isObject(doc.moduleContent)) return { content: doc.moduleContent, pointer: '/moduleContent' };
  if (isObject(doc.content) && isObject(doc.content.modulesContent)) {
    return { content: doc.content.modulesContent, pointer: '/content/modulesContent' };
  }
  return undefined;
}

/** Is this a layered deployment (flattened desired-property keys instead of a full properties.desired)? */
export function isLayered(doc: unknown): boolean {
  const mc = findModulesContent(doc);
  const agent = mc && mc.content.$edgeAgent;
  return isObject(agent) && Object.keys(agent).some((k) => k.startsWith('properties.desired.'));
}

export function listModules(doc: unknown): ModuleEntry[] {
  const mc = findModulesContent(doc);
  if (!mc) return [];
  const agent = mc.content.$edgeAgent;
  if (!isObject(agent)) return [];
  const base = `${mc.pointer}/$edgeAgent`;
  const out: ModuleEntry[] = [];
  const desired = agent['properties.desired'];
  if (isObject(desired)) {
    for (const [group, kind] of [['systemModules', 'system'], ['modules', 'user']] as const) {
      const mods = desired[group];
      if (!isObject(mods)) continue;
      for (const [name, value] of Object.entries(mods)) {
        if (isObject(value)) out.push({ name, kind, pointer: `${base}/properties.desired/${group}/${escapePointer(name)}`, value, layered: false });
      }
    }
  }
  for (const [key, value] of Object.entries(agent)) {
    const m = /^properties\.desired\.(modules|systemModules)\.(.+)$/.exec(key);
    if (m && isObject(value)) {
      out.push({ name: m[2], kind: m[1] === 'modules' ? 'user' : 'system', pointer: `${base}/${escapePointer(key)}`, value, layered: true });
    }
  }
  return out;
}
