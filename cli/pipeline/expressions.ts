import { InputError } from '../../shared/core/errors';

/**
 * The Azure Pipelines expression language (conditions, `${{ }}` and `$[ ]`): literals,
 * property/index access on named roots, and function calls. No operators: everything is
 * a function, as in the service. Type coercion follows the documented casting rules.
 */

export type ExprValue = null | boolean | number | string | ExprValue[] | { [k: string]: ExprValue };

type Node =
  | { k: 'lit'; v: ExprValue }
  | { k: 'ref'; name: string }
  | { k: 'call'; name: string; args: Node[] }
  | { k: 'prop'; obj: Node; name: string }
  | { k: 'index'; obj: Node; idx: Node };

/** Results a status function looks at. Steps see the job so far; jobs/stages see their dependencies. */
export interface StatusContext {
  /** Names this scope depends on by default (jobs/stages); undefined for steps. */
  dependencies?: string[];
  /** Result of a dependency by name (case-insensitive), or of the job so far for steps (name ''). */
  resultOf(name: string): string | undefined;
  canceled: boolean;
}

export interface ExprContext {
  roots: Record<string, unknown>;
  status?: StatusContext;
}

export class ExpressionError extends InputError {}

interface Token { t: 'str' | 'num' | 'id' | 'p'; v: string }

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    if ('()[],.'.includes(c)) {
      // A dot followed by a digit after a non-token is part of a number (".5" is not valid anyway).
      out.push({ t: 'p', v: c }); i++; continue;
    }
    if (c === "'") {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionError(`Unterminated string in expression: ${src}`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") { s += "'"; i += 2; continue; }
          i++; break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
      continue;
    }
    const num = /^-?(0x[0-9a-fA-F]+|\d+(\.\d+)*([eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num && (c === '-' || /\d/.test(c))) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i));
    if (id) { out.push({ t: 'id', v: id[0] }); i += id[0].length; continue; }
    throw new ExpressionError(`Unexpected character '${c}' in expression: ${src}`);
  }
  return out;
}

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos];
  const fail = (what: string): never => { throw new ExpressionError(`${what} in expression: ${src}`); };
  const expect = (v: string) => {
    const t = toks[pos++];
    if (!t || t.t !== 'p' || t.v !== v) fail(`Expected '${v}'${t ? ` but found '${t.v}'` : ' at the end'}`);
  };
  const primary = (): Node => {
    const t = toks[pos++];
    if (!t) return fail('Unexpected end');
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'num') {
      if ((t.v.match(/\./g) ?? []).length > 1) return { k: 'lit', v: t.v }; // version literal
      return { k: 'lit', v: Number(t.v) };
    }
    if (t.t === 'id') {
      const low = t.v.toLowerCase();
      if (peek()?.t === 'p' && peek().v === '(') {
        pos++;
        const args: Node[] = [];
        if (!(peek()?.t === 'p' && peek().v === ')')) {
          for (;;) {
            args.push(chain());
            if (peek()?.t === 'p' && peek().v === ',') { pos++; continue; }
            break;
          }
        }
        expect(')');
        return { k: 'call', name: low, args };
      }
      if (low === 'true') return { k: 'lit', v: true };
      if (low === 'false') return { k: 'lit', v: false };
      if (low === 'null') return { k: 'lit', v: null };
      return { k: 'ref', name: t.v };
    }
    return fail(`Unexpected '${t.v}'`);
  };
  const chain = (): Node => {
    let n = primary();
    for (;;) {
      const t = peek();
      if (t?.t === 'p' && t.v === '.') {
        pos++;
        const id = toks[pos++];
        if (!id || (id.t !== 'id' && id.t !== 'num')) fail('Expected a property name after "."');
        n = { k: 'prop', obj: n, name: id.v };
      } else if (t?.t === 'p' && t.v === '[') {
        pos++;
        const idx = chain();
        expect(']');
        n = { k: 'index', obj: n, idx };
      } else {
        return n;
      }
    }
  };
  const root = chain();
  if (pos < toks.length) fail(`Unexpected '${toks[pos].v}'`);
  return root;
}

// ---- coercion --------------------------------------------------------------

export function toBool(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return true;
}

function toNum(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return 0;
    return /^[-+]?(0x[0-9a-f]+|\d+(\.\d+)?([eE][+-]?\d+)?|\.\d+)$/i.test(s) ? Number(s) : NaN;
  }
  return NaN;
}

export function toStr(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** Compare right to left after casting right to left's type; undefined when not convertible. */
function compare(a: unknown, b: unknown): number | undefined {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null) {
    if (b === null || b === '') return 0;
    return undefined;
  }
  if (typeof a === 'boolean') {
    const bb = typeof b === 'string' ? (/^true$/i.test(b) ? true : /^false$/i.test(b) ? false : toBool(b)) : toBool(b);
    return a === bb ? 0 : a ? 1 : -1;
  }
  if (typeof a === 'number') {
    const n = toNum(b);
    if (Number.isNaN(n) || Number.isNaN(a)) return undefined;
    return a === n ? 0 : a < n ? -1 : 1;
  }
  if (typeof a === 'string') {
    if (b !== null && typeof b === 'object') return undefined;
    const x = a.toUpperCase();
    const y = toStr(b).toUpperCase();
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return a === b ? 0 : undefined;
}

const eq = (a: unknown, b: unknown) => compare(a, b) === 0;

function getProp(obj: unknown, name: string): unknown {
  if (obj === null || obj === undefined) return null;
  if (Array.isArray(obj)) {
    const i = toNum(name);
    if (Number.isInteger(i)) return obj[i] ?? null;
    return null;
  }
  if (typeof obj !== 'object') return null;
  const rec = obj as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(rec, name)) return rec[name];
  const low = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === low) return rec[k];
  return null;
}

const OK = new Set(['succeeded', 'succeededwithissues']);

function statusFn(name: string, args: unknown[], ctx: ExprContext): boolean {
  const s = ctx.status;
  if (name === 'always') return true;
  if (!s) throw new ExpressionError(`${name}() cannot be used here (only in conditions)`);
  if (name === 'canceled') return s.canceled;
  const names = args.length > 0 ? args.map(toStr) : s.dependencies ?? [''];
  const results = names.map((n) => {
    const r = s.resultOf(n);
    if (r === undefined && args.length > 0) throw new ExpressionError(`${name}('${n}'): '${n}' is not a dependency`);
    return (r ?? 'succeeded').toLowerCase();
  });
  switch (name) {
    case 'succeeded': return !s.canceled && results.every((r) => OK.has(r));
    case 'failed': return !s.canceled && results.some((r) => r === 'failed');
    case 'succeededorfailed': return !s.canceled && results.every((r) => OK.has(r) || r === 'failed');
    default: return false;
  }
}

const STATUS = new Set(['always', 'canceled', 'succeeded', 'failed', 'succeededorfailed']);

function evalNode(n: Node, ctx: ExprContext): unknown {
  switch (n.k) {
    case 'lit': return n.v;
    case 'ref': {
      const v = getProp(ctx.roots, n.name);
      if (v === null && !Object.keys(ctx.roots).some((k) => k.toLowerCase() === n.name.toLowerCase())) {
        throw new ExpressionError(`Unrecognized value '${n.name}' (available here: ${Object.keys(ctx.roots).join(', ') || 'none'})`);
      }
      return v;
    }
    case 'prop': return getProp(evalNode(n.obj, ctx), n.name);
    case 'index': {
      const idx = evalNode(n.idx, ctx);
      return getProp(evalNode(n.obj, ctx), typeof idx === 'number' ? String(idx) : toStr(idx));
    }
    case 'call': return callFn(n, ctx);
  }
}

function arity(n: { name: string; args: Node[] }, min: number, max = min): void {
  if (n.args.length < min || n.args.length > max) {
    throw new ExpressionError(`${n.name}() takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} arguments, got ${n.args.length}`);
  }
}

function callFn(n: Extract<Node, { k: 'call' }>, ctx: ExprContext): unknown {
  const ev = (i: number) => evalNode(n.args[i], ctx);
  const all = () => n.args.map((a) => evalNode(a, ctx));
  if (STATUS.has(n.name)) return statusFn(n.name, all(), ctx);
  switch (n.name) {
    case 'and': arity(n, 2, Infinity); return n.args.every((_, i) => toBool(ev(i)));
    case 'or': arity(n, 2, Infinity); return n.args.some((_, i) => toBool(ev(i)));
    case 'not': arity(n, 1); return !toBool(ev(0));
    case 'xor': arity(n, 2); return toBool(ev(0)) !== toBool(ev(1));
    case 'eq': arity(n, 2); return eq(ev(0), ev(1));
    case 'ne': arity(n, 2); return !eq(ev(0), ev(1));
    case 'gt': case 'ge': case 'lt': case 'le': {
      arity(n, 2);
      const c = compare(ev(0), ev(1));
      if (c === undefined) return false;
      return n.name === 'gt' ? c > 0 : n.name === 'ge' ? c >= 0 : n.name === 'lt' ? c < 0 : c <= 0;
    }
    case 'in': case 'notin': {
      arity(n, 1, Infinity);
      const [x, ...rest] = all();
      const found = rest.some((r) => eq(x, r));
      return n.name === 'in' ? found : !found;
    }
    case 'contains': {
      arity(n, 2);
      return toStr(ev(0)).toUpperCase().includes(toStr(ev(1)).toUpperCase());
    }
    case 'containsvalue': {
      arity(n, 2);
      const coll = ev(0);
      const v = ev(1);
      const items = Array.isArray(coll) ? coll : coll && typeof coll === 'object' ? Object.values(coll) : [];
      return items.some((i) => eq(v, i));
    }
    case 'startswith': arity(n, 2); return toStr(ev(0)).toUpperCase().startsWith(toStr(ev(1)).toUpperCase());
    case 'endswith': arity(n, 2); return toStr(ev(0)).toUpperCase().endsWith(toStr(ev(1)).toUpperCase());
    case 'lower': arity(n, 1); return toStr(ev(0)).toLowerCase();
    case 'upper': arity(n, 1); return toStr(ev(0)).toUpperCase();
    case 'replace': arity(n, 3); return toStr(ev(0)).split(toStr(ev(1))).join(toStr(ev(2)));
    case 'split': arity(n, 2); return toStr(ev(0)).split(toStr(ev(1)));
    case 'join': {
      arity(n, 2);
      const arr = ev(1);
      return Array.isArray(arr) ? arr.map(toStr).join(toStr(ev(0))) : toStr(arr);
    }
    case 'length': {
      arity(n, 1);
      const v = ev(0);
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      if (v && typeof v === 'object') return Object.keys(v).length;
      return 0;
    }
    case 'coalesce': {
      for (let i = 0; i < n.args.length; i++) { const v = ev(i); if (v !== null && v !== undefined && v !== '') return v; }
      return null;
    }
    case 'format': {
      arity(n, 1, Infinity);
      const [f, ...rest] = all();
      return toStr(f).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, i: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : toStr(rest[Number(i)])));
    }
    case 'iif': arity(n, 3); return toBool(ev(0)) ? ev(1) : ev(2);
    case 'converttojson': arity(n, 1); return JSON.stringify(ev(0) ?? null, null, 2);
    case 'counter':
      throw new ExpressionError('counter() is not supported by the local runner (it needs the service\'s persistent counters)');
    default:
      throw new ExpressionError(`Unknown function '${n.name}'`);
  }
}

export function evaluate(src: string, ctx: ExprContext): unknown {
  const v = evalNode(parseExpression(src), ctx);
  return v === undefined ? null : v;
}

export function evaluateCondition(src: string, ctx: ExprContext): boolean {
  return toBool(evaluate(src, ctx));
}
