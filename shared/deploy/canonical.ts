import { createHash } from 'crypto';

/** JSON with object keys sorted at every level: equal content → equal text, whatever the key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

export function contentHash(v: unknown): string {
  return createHash('sha256').update(canonicalJson(v)).digest('hex');
}
