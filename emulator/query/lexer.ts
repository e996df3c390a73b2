import { badRequest } from '../errors';

/** Tokens of the IoT Hub query language (a small SQL dialect over twin JSON). */
export type Token =
  | { t: 'ident'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: 'brid'; v: string; pos: number } // [[configuration id]]
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; v: ''; pos: number };

const OPS = ['<=', '>=', '!=', '<>', '=', '<', '>', ',', '(', ')', '[', ']', '.', '*'];

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === "'" || c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw badRequest(`Query syntax error: unterminated string starting at position ${start + 1}`);
        if (src[i] === c) {
          if (src[i + 1] === c) { s += c; i += 2; continue; } // doubled quote escapes itself
          i++;
          break;
        }
        if (src[i] === '\\' && i + 1 < src.length) { s += src[i + 1]; i += 2; continue; }
        s += src[i++];
      }
      out.push({ t: 'str', v: s, pos: start });
      continue;
    }
    if (c === '[' && src[i + 1] === '[') {
      const end = src.indexOf(']]', i + 2);
      if (end < 0) throw badRequest(`Query syntax error: unterminated [[ at position ${start + 1}`);
      out.push({ t: 'brid', v: src.slice(i + 2, end), pos: start });
      i = end + 2;
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i));
    // A leading '-' is a sign only where an operand may start.
    if (num && (c !== '-' || out.length === 0 || out[out.length - 1].t === 'op' && out[out.length - 1].v !== ')' && out[out.length - 1].v !== ']')) {
      out.push({ t: 'num', v: Number(num[0]), pos: start });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_$][A-Za-z0-9_$\-]*/.exec(src.slice(i));
    if (id) {
      // '-' inside identifiers only when followed by a letter/digit (deployment ids, tag names)
      let word = id[0];
      while (word.endsWith('-')) word = word.slice(0, -1);
      out.push({ t: 'ident', v: word, pos: start });
      i += word.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ t: 'op', v: op, pos: start });
      i += op.length;
      continue;
    }
    throw badRequest(`Query syntax error: unexpected character '${c}' at position ${start + 1}`);
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}
