import { Expr } from './parser';

/**
 * Compiles an expression once into a closure (no AST walk per row), so a deployment's
 * target condition can be tested against 10,000 twins in a few milliseconds.
 *
 * Semantics follow IoT Hub: a missing property is undefined; comparing undefined or
 * values of different types yields undefined, which a WHERE treats as false (so
 * `tags.x != 'a'` does not match twins without tags.x). AND/OR/NOT are three-valued.
 */
export type Row = Record<string, unknown>;
export type Eval = (row: Row) => unknown;

function getter(segs: string[]): Eval {
  if (segs.length === 1) { const a = segs[0]; return (r) => r[a]; }
  if (segs.length === 2) {
    const [a, b] = segs;
    return (r) => { const x = r[a]; return x !== null && typeof x === 'object' ? (x as Row)[b] : undefined; };
  }
  return (r) => {
    let cur: unknown = r;
    for (const s of segs) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
      cur = (cur as Row)[s];
    }
    return cur;
  };
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function compare(op: string, a: unknown, b: unknown): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  const ka = kind(a);
  const kb = kind(b);
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (ka === 'null' || kb === 'null') eq = ka === kb; // `x = null` is false (not unknown) for a defined non-null x
    else if (ka !== kb) return undefined;
    else if (ka === 'object' || ka === 'array') eq = JSON.stringify(a) === JSON.stringify(b);
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  if (ka !== kb || (ka !== 'number' && ka !== 'string')) return undefined;
  const x = a as number | string;
  const y = b as number | string;
  switch (op) {
    case '<': return x < y;
    case '>': return x > y;
    case '<=': return x <= y;
    default: return x >= y;
  }
}

function truthy(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function compileExpr(e: Expr): Eval {
  switch (e.k) {
    case 'lit': { const v = e.v; return () => v; }
    case 'path': return getter(e.segs);
    case 'cmp': {
      const l = compileExpr(e.l);
      const r = compileExpr(e.r);
      const op = e.op;
      if (e.r.k === 'lit' && (op === '=' || op === '!=') && typeof e.r.v !== 'object') {
        // Fast path for the common `path = 'literal'`.
        const lit = e.r.v;
        const t = typeof lit;
        return op === '='
          ? (row) => { const v = l(row); return v === null ? false : v === undefined || typeof v !== t ? undefined : v === lit; }
          : (row) => { const v = l(row); return v === null ? true : v === undefined || typeof v !== t ? undefined : v !== lit; };
      }
      return (row) => compare(op, l(row), r(row));
    }
    case 'and': {
      const l = compileExpr(e.l);
      const r = compileExpr(e.r);
      return (row) => {
        const a = truthy(l(row));
        if (a === false) return false;
        const b = truthy(r(row));
        if (b === false) return false;
        return a === true && b === true ? true : undefined;
      };
    }
    case 'or': {
      const l = compileExpr(e.l);
      const r = compileExpr(e.r);
      return (row) => {
        const a = truthy(l(row));
        if (a === true) return true;
        const b = truthy(r(row));
        if (b === true) return true;
        return a === false && b === false ? false : undefined;
      };
    }
    case 'not': {
      const inner = compileExpr(e.e);
      return (row) => { const v = truthy(inner(row)); return v === undefined ? undefined : !v; };
    }
    case 'in': {
      const v = compileExpr(e.e);
      const items = e.list.map(compileExpr);
      const neg = e.neg;
      return (row) => {
        const x = v(row);
        if (x === undefined) return undefined;
        let found = false;
        for (const it of items) if (compare('=', x, it(row)) === true) { found = true; break; }
        return neg ? !found : found;
      };
    }
    case 'fn': return compileFn(e.name, e.args.map(compileExpr));
    case 'count': return () => undefined; // aggregated by the runner, never per row
  }
}

function compileFn(name: string, args: Eval[]): Eval {
  const [a, b] = args;
  switch (name) {
    case 'IS_DEFINED': return (r) => a(r) !== undefined;
    case 'IS_NULL': return (r) => a(r) === null;
    case 'IS_BOOL': return (r) => typeof a(r) === 'boolean';
    case 'IS_NUMBER': return (r) => typeof a(r) === 'number';
    case 'IS_STRING': return (r) => typeof a(r) === 'string';
    case 'IS_OBJECT': return (r) => { const v = a(r); return v !== null && typeof v === 'object' && !Array.isArray(v); };
    case 'IS_PRIMITIVE': return (r) => { const v = a(r); return v === null || ['string', 'number', 'boolean'].includes(typeof v); };
    case 'STARTSWITH': return strFn(a, b, (x, y) => x.startsWith(y));
    case 'ENDSWITH': return strFn(a, b, (x, y) => x.endsWith(y));
    case 'CONTAINS': return strFn(a, b, (x, y) => x.includes(y));
    case 'LOWER': return (r) => { const v = a(r); return typeof v === 'string' ? v.toLowerCase() : undefined; };
    case 'UPPER': return (r) => { const v = a(r); return typeof v === 'string' ? v.toUpperCase() : undefined; };
    default: throw new Error(`function ${name} has no implementation`);
  }
}

function strFn(a: Eval, b: Eval, f: (x: string, y: string) => boolean): Eval {
  return (r) => { const x = a(r); const y = b(r); return typeof x === 'string' && typeof y === 'string' ? f(x, y) : undefined; };
}

/** A WHERE predicate: true only when the condition evaluates to true. */
export function compilePredicate(e: Expr | undefined): (row: Row) => boolean {
  if (!e) return () => true;
  const f = compileExpr(e);
  return (row) => f(row) === true;
}
