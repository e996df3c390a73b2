import * as YAML from 'yaml';
import { readUserTextFile } from '../../shared/core/read-file';
import { InputError, SourceLocation } from '../../shared/core/errors';

/**
 * Pipeline YAML as plain JS values, with the source position of every mapping key and
 * sequence item kept on the side (WeakMap), so errors found after template expansion
 * still point at file:line:column of what the user wrote.
 */
const locations = new WeakMap<object, Map<string | number, SourceLocation>>();
/** The location of a whole collection (its first key or item). */
const selfLocations = new WeakMap<object, SourceLocation>();

export type YamlValue = string | number | boolean | null | YamlValue[] | { [k: string]: YamlValue };
export type YamlMap = { [k: string]: YamlValue };

export function setLoc(parent: object, key: string | number, loc: SourceLocation | undefined): void {
  if (!loc) return;
  let m = locations.get(parent);
  if (!m) { m = new Map(); locations.set(parent, m); }
  m.set(key, loc);
}

export function locOf(parent: unknown, key?: string | number): SourceLocation | undefined {
  if (parent === null || typeof parent !== 'object') return undefined;
  if (key === undefined) return selfLocations.get(parent);
  return locations.get(parent)?.get(key) ?? selfLocations.get(parent);
}

export function setSelfLoc(obj: object, loc: SourceLocation | undefined): void {
  if (loc && !selfLocations.has(obj)) selfLocations.set(obj, loc);
}

export function isMap(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseYamlText(text: string, file: string): YamlValue {
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const at = (offset: number): SourceLocation => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new InputError(`Invalid YAML: ${e.message.split('\n')[0]}`, at(e.pos[0]));
  }
  const convert = (node: unknown, depth: number): YamlValue => {
    if (depth > 200) throw new InputError('YAML nesting too deep (alias loop?)', { file });
    if (YAML.isAlias(node)) return convert(node.resolve(doc), depth + 1);
    if (YAML.isScalar(node)) {
      const v = node.value;
      if (v === null || v === undefined) return null;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return String(v);
    }
    if (YAML.isMap(node)) {
      const out: YamlMap = {};
      for (const pair of node.items) {
        const keyNode = pair.key as YAML.Node | null;
        const key = YAML.isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        out[key] = convert(pair.value, depth + 1);
        const loc = keyNode?.range ? at(keyNode.range[0]) : undefined;
        setLoc(out, key, loc);
        setSelfLoc(out, loc);
      }
      if (node.range) setSelfLoc(out, at(node.range[0]));
      return out;
    }
    if (YAML.isSeq(node)) {
      const out: YamlValue[] = [];
      node.items.forEach((item, i) => {
        out.push(convert(item, depth + 1));
        const r = (item as YAML.Node | null)?.range;
        if (r) setLoc(out, i, at(r[0]));
      });
      if (node.range) setSelfLoc(out, at(node.range[0]));
      return out;
    }
    return null;
  };
  return convert(doc.contents, 0);
}

export function readYamlFile(file: string): YamlValue {
  return parseYamlText(readUserTextFile(file), file);
}

/** `stages[0].jobs[1].steps[2]` style path for messages. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

/** Location of `parent[key]` with the YAML path attached, for InputError. */
export function where(parent: unknown, key: string | number | undefined, path: string): SourceLocation {
  const loc = locOf(parent, key) ?? {};
  return { ...loc, field: path };
}
