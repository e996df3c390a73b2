import * as jsonc from 'jsonc-parser';
import { ModuleEntry, isObject, Json } from './modules-content';

/** Duplicate keys (JSON keeps the last one silently; the hub and the agent would too). */
export function findDuplicateKeys(text: string): { key: string; offset: number; pointer: string }[] {
  const tree = jsonc.parseTree(text, [], { allowTrailingComma: false, disallowComments: true });
  const out: { key: string; offset: number; pointer: string }[] = [];
  const walk = (node: jsonc.Node, pointer: string) => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (!k) continue;
        const key = String(k.value);
        const p = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
        if (seen.has(key)) out.push({ key, offset: k.offset, pointer: p });
        seen.add(key);
        if (v) walk(v, p);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((c, i) => walk(c, `${pointer}/${i}`));
    }
  };
  if (tree) walk(tree, '');
  return out;
}

// Docker container names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ ; the agent names containers after modules.
const DOCKER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface EntryProblem {
  pointer: string;
  message: string;
}

/** Module names, types and duplicates across modules / systemModules / layered keys. */
export function checkModuleEntries(entries: ModuleEntry[]): EntryProblem[] {
  const problems: EntryProblem[] = [];
  const seen = new Map<string, ModuleEntry>();
  for (const m of entries) {
    if (m.kind === 'system') {
      if (m.name !== 'edgeAgent' && m.name !== 'edgeHub') {
        problems.push({ pointer: m.pointer, message: `system module "${m.name}" is not edgeAgent or edgeHub` });
      }
    } else if (!DOCKER_NAME_RE.test(m.name)) {
      problems.push({ pointer: m.pointer, message: `module name "${m.name}" would be rejected by Docker (letters, digits, _ . -; at least 2 characters, starting with a letter or digit)` });
    }
    const prev = seen.get(m.name.toLowerCase());
    if (prev) {
      problems.push({ pointer: m.pointer, message: `duplicate module name "${m.name}" (also at ${prev.pointer})` });
    } else {
      seen.set(m.name.toLowerCase(), m);
    }
    const type = m.value.type;
    if (type !== 'docker') {
      problems.push({ pointer: `${m.pointer}/type`, message: type === undefined ? `module "${m.name}" has no "type" (must be "docker")` : `module "${m.name}" has type ${JSON.stringify(type)}; only "docker" modules are supported` });
    }
    if (!isObject(m.value.settings)) {
      problems.push({ pointer: `${m.pointer}/settings`, message: `module "${m.name}" has no "settings" object` });
    } else if (typeof m.value.settings.image !== 'string' || m.value.settings.image === '') {
      problems.push({ pointer: `${m.pointer}/settings/image`, message: `module "${m.name}" has no settings.image` });
    }
  }
  return problems;
}

/** Image placeholders left anywhere in a document (outside a whole settings.image value nothing expands them). */
export function findPlaceholders(value: Json, pointer = ''): { pointer: string; text: string }[] {
  const out: { pointer: string; text: string }[] = [];
  if (typeof value === 'string') {
    const m = /\$\{MODULE(S\.|DIR<)[^}]*\}/.exec(value);
    if (m) out.push({ pointer, text: m[0] });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...findPlaceholders(v, `${pointer}/${i}`)));
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) out.push(...findPlaceholders(v, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return out;
}
