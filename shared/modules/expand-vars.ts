/**
 * `$VAR` / `${VAR}` expansion over raw text (templates, module.json), as iotedgedev's
 * os.path.expandvars does, but recording every reference with its offset so unresolved
 * names can be reported at line:column, and mapping offsets in the result back to the source.
 */
export interface VarRef {
  name: string;
  /** Offset of `$` in the source text. */
  offset: number;
  /** Length of the reference in the source (`$NAME` or `${NAME}`). */
  length: number;
  braced: boolean;
}

export interface ExpandOptions {
  /** Value for a name, or undefined when unset. */
  lookup(name: string): string | undefined;
  /** Encodes a value before insertion (JSON string escaping for JSON files). */
  escape?(value: string): string;
  /** Names left untouched even when set (e.g. registry passwords kept as placeholders). */
  keep?(name: string): boolean;
}

export interface ExpandResult {
  text: string;
  /** References with no value (image placeholders and reserved IoT Edge words excluded). */
  unresolved: VarRef[];
  /** References that were replaced. */
  replaced: VarRef[];
  /** References kept on purpose (opts.keep). */
  kept: VarRef[];
  /** Maps an offset in `text` back to an offset in the source. */
  toSourceOffset(offset: number): number;
}

/** `$word`s that are IoT Edge / route-query syntax, never variables. */
const RESERVED = new Set([
  'edgeAgent', 'edgeHub', 'upstream', 'schema', 'version', 'metadata', 'body', 'twin', 'iothub',
  'contentType', 'contentEncoding', 'connectionDeviceId', 'connectionModuleId', 'messageId',
  'correlationId', 'userId', 'to', 'absoluteExpiryTime', 'enqueuedTime', 'outputName', 'inputName',
]);

export function isImagePlaceholderName(name: string): boolean {
  return name.startsWith('MODULES.') || name.startsWith('MODULEDIR<');
}

// Same token shape as posixpath.expandvars: $ then ASCII word chars, or ${ anything but } }.
const VAR_RE = /\$(?:\{([^}]*)\}|(\w+))/g;

export function jsonEscape(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function expandVariables(source: string, opts: ExpandOptions): ExpandResult {
  const escape = opts.escape ?? ((v: string) => v);
  const unresolved: VarRef[] = [];
  const replaced: VarRef[] = [];
  const kept: VarRef[] = [];
  // (sourceOffset, sourceLength, outputOffset, outputLength) per replacement, in order.
  const edits: { src: number; srcLen: number; out: number; outLen: number }[] = [];
  let out = '';
  let last = 0;
  VAR_RE.lastIndex = 0;
  for (let m = VAR_RE.exec(source); m; m = VAR_RE.exec(source)) {
    const braced = m[1] !== undefined;
    const name = braced ? m[1] : m[2];
    const ref: VarRef = { name, offset: m.index, length: m[0].length, braced };
    if (isImagePlaceholderName(name) || (!braced && RESERVED.has(name))) continue;
    if (opts.keep?.(name)) { kept.push(ref); continue; }
    const value = name === '' ? undefined : opts.lookup(name);
    if (value === undefined) { unresolved.push(ref); continue; }
    const enc = escape(value);
    out += source.slice(last, m.index);
    edits.push({ src: m.index, srcLen: m[0].length, out: out.length, outLen: enc.length });
    out += enc;
    last = m.index + m[0].length;
    replaced.push(ref);
  }
  out += source.slice(last);
  return {
    text: out,
    unresolved,
    replaced,
    kept,
    toSourceOffset(offset: number): number {
      let delta = 0;
      for (const e of edits) {
        if (offset < e.out) break;
        if (offset < e.out + e.outLen) return e.src; // inside a substituted value: point at the reference
        delta = e.src + e.srcLen - (e.out + e.outLen);
      }
      return offset + delta;
    },
  };
}
