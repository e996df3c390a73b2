import { isObject, JsonObject } from './modules-content';

/** Twin values are limited to 512 characters; createOptions longer than that are split. */
export const CHUNK_SIZE = 512;
/** The IoT Edge agent reads createOptions plus createOptions01…createOptions99 (iotedgedev stops at 8). */
export const MAX_CHUNKS = 100;

const CHUNK_KEY_RE = /^createOptions(\d{2})$/;

export function chunkKey(i: number): string {
  return i === 0 ? 'createOptions' : `createOptions${String(i).padStart(2, '0')}`;
}

/** A createOptions problem, by settings key; the caller adds module name and location. */
export interface CreateOptionsProblem {
  key: string;
  message: string;
}

/** The createOptions string a settings object holds: createOptions + createOptions01… joined. */
export function joinedCreateOptions(settings: JsonObject): string | undefined {
  const v = settings.createOptions;
  if (typeof v !== 'string') return undefined;
  let s = v;
  for (let i = 1; i < MAX_CHUNKS + 1; i++) {
    const part = settings[chunkKey(i)];
    if (typeof part !== 'string') break;
    s += part;
  }
  return s;
}

/** Python's json.dumps(ensure_ascii=True) output: non-ASCII as \\uXXXX (iotedgedev writes files that way). */
export function asciiJson(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Splits by code point (as Python slices str), so a character is never cut in half. */
export function splitChunks(s: string, size = CHUNK_SIZE): string[] {
  const cps = Array.from(s);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

/**
 * Converts settings.createOptions in place the way iotedgedev does — an object is
 * serialized minified, a string is kept as written — then splits it into 512-character
 * chunks createOptions, createOptions01, … . Pre-chunked templates are joined first.
 * Returns problems instead of throwing so all modules are reported at once.
 */
export function convertCreateOptions(settings: JsonObject): CreateOptionsProblem[] {
  if (!('createOptions' in settings)) return [];
  const raw = settings.createOptions;
  let text: string;
  if (isObject(raw)) {
    text = asciiJson(JSON.stringify(raw));
  } else if (typeof raw === 'string') {
    text = joinedCreateOptions(settings) ?? raw;
    if (text.trim() !== '') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        return [{ key: 'createOptions', message: `createOptions is a string but not valid JSON: ${(e as Error).message}` }];
      }
      if (!isObject(parsed)) return [{ key: 'createOptions', message: 'createOptions must be a JSON object (or a string holding one)' }];
    }
  } else {
    return [{ key: 'createOptions', message: `createOptions must be an object or a JSON-object string, not ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` }];
  }
  for (const k of Object.keys(settings)) if (CHUNK_KEY_RE.test(k)) delete settings[k];
  const chunks = text === '' ? [''] : splitChunks(text);
  if (chunks.length > MAX_CHUNKS) {
    return [{ key: 'createOptions', message: `createOptions is ${Array.from(text).length} characters: ${chunks.length} chunks of ${CHUNK_SIZE}, over the IoT Edge agent's limit of ${MAX_CHUNKS} (${CHUNK_SIZE * MAX_CHUNKS} characters)` }];
  }
  chunks.forEach((c, i) => { settings[chunkKey(i)] = c; });
  return [];
}

/** Checks a generated settings object: each chunk ≤ 512, chunk numbering contiguous, joined string a JSON object. */
export function checkCreateOptions(settings: JsonObject): CreateOptionsProblem[] {
  if (!('createOptions' in settings)) return [];
  const problems: CreateOptionsProblem[] = [];
  const keys = Object.keys(settings).filter((k) => k === 'createOptions' || CHUNK_KEY_RE.test(k));
  for (const k of keys) {
    const v = settings[k];
    if (typeof v !== 'string') { problems.push({ key: k, message: `${k} must be a string` }); continue; }
    if (Array.from(v).length > CHUNK_SIZE) problems.push({ key: k, message: `${k} is ${Array.from(v).length} characters, over the ${CHUNK_SIZE} limit` });
  }
  if (keys.length > MAX_CHUNKS) problems.push({ key: 'createOptions', message: `${keys.length} createOptions chunks, over the limit of ${MAX_CHUNKS}` });
  for (let i = 1; i < keys.length; i++) {
    if (!(chunkKey(i) in settings)) problems.push({ key: keys[i], message: `createOptions chunks must be numbered without gaps: ${chunkKey(i)} is missing` });
  }
  const joined = joinedCreateOptions(settings);
  if (joined !== undefined && joined.trim() !== '') {
    try {
      if (!isObject(JSON.parse(joined))) problems.push({ key: 'createOptions', message: 'joined createOptions is not a JSON object' });
    } catch (e) {
      problems.push({ key: 'createOptions', message: `joined createOptions is not valid JSON: ${(e as Error).message}` });
    }
  }
  return problems;
}
