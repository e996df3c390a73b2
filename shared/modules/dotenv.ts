import { InputError } from '../core/errors';

/**
 * A `.env` parser with python-dotenv's rules (what iotedgedev uses):
 * `#` comment lines, optional `export ` prefix, single quotes are literal,
 * double quotes decode backslash escapes and may span lines, unquoted values
 * lose a trailing ` # comment`, and `${VAR}` / `${VAR:-default}` is interpolated
 * in unquoted and double-quoted values (never `$VAR` without braces).
 */
export interface DotenvEntry {
  key: string;
  /** undefined for a bare `KEY` line without `=` (python-dotenv yields None and sets nothing). */
  value: string | undefined;
  /** False for single-quoted values, which python-dotenv never interpolates. */
  interpolate: boolean;
  line: number;
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

export function parseDotenv(text: string, file = '.env'): DotenvEntry[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const entries: DotenvEntry[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  const skipLine = () => {
    while (i < n && text[i] !== '\n') i++;
    if (i < n) { i++; line++; }
  };
  while (i < n) {
    // leading whitespace (not newlines)
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i++;
    if (i >= n) break;
    if (text[i] === '\n') { i++; line++; continue; }
    if (text[i] === '#') { skipLine(); continue; }
    const startLine = line;
    if (text.startsWith('export', i) && /[ \t]/.test(text[i + 6] ?? '')) {
      i += 6;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    }
    let key = '';
    if (text[i] === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new InputError('Unterminated quoted key', { file, line: startLine });
      key = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const m = /^[^=#\s]+/.exec(text.slice(i, i + 4096));
      if (!m) { skipLine(); continue; } // python-dotenv skips lines it cannot parse
      key = m[0];
      i += key.length;
    }
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] !== '=') {
      // `KEY` alone, or `KEY # comment`: no value.
      const rest = text.slice(i, text.indexOf('\n', i) < 0 ? n : text.indexOf('\n', i)).trim();
      if (rest === '' || rest.startsWith('#')) entries.push({ key, value: undefined, interpolate: false, line: startLine });
      skipLine();
      continue;
    }
    i++; // '='
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    const q = text[i];
    if (q === "'" || q === '"') {
      let j = i + 1;
      let raw = '';
      while (j < n && text[j] !== q) {
        if (text[j] === '\\' && j + 1 < n) { raw += text[j] + text[j + 1]; j += 2; continue; }
        raw += text[j];
        j++;
      }
      if (j >= n) throw new InputError('Unterminated quoted value', { file, line: startLine, field: key });
      for (const ch of raw) if (ch === '\n') line++;
      i = j + 1;
      const value = q === "'"
        ? raw.replace(/\\([\\'])/g, '$1')
        : raw.replace(/\\([\\'"abfnrtv])/g, (_, c: string) => DOUBLE_ESCAPES[c]);
      entries.push({ key, value, interpolate: q === '"', line: startLine });
      skipLine(); // anything after the closing quote (a comment) is ignored
      continue;
    }
    const eol = text.indexOf('\n', i);
    let value = text.slice(i, eol < 0 ? n : eol);
    value = value.replace(/\s+#.*$/, '').replace(/\r$/, '').trimEnd();
    // A value that is only a comment (`KEY= # note`) is empty.
    if (value.startsWith('#')) value = '';
    entries.push({ key, value, interpolate: true, line: startLine });
    skipLine();
  }
  return entries;
}

/**
 * Resolves `${VAR}` and `${VAR:-default}` the way python-dotenv's load_dotenv(override=False) does:
 * the process environment wins over values defined earlier in the file; unknown names become ''.
 * Returns only the keys the file defines (with values).
 */
export function resolveDotenv(entries: DotenvEntry[], processEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    if (e.value === undefined) continue;
    out[e.key] = e.interpolate
      ? e.value.replace(/\$\{([^}:]+)(?::-([^}]*))?\}/g, (_, name: string, def?: string) => processEnv[name] ?? out[name] ?? def ?? '')
      : e.value;
  }
  return out;
}
