import { badRequest } from '../errors';
import { Token, tokenize } from './lexer';

export type Literal = string | number | boolean | null;

export type Expr =
  | { k: 'lit'; v: Literal }
  | { k: 'path'; segs: string[] }
  | { k: 'cmp'; op: '=' | '!=' | '<' | '>' | '<=' | '>='; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'in'; e: Expr; list: Expr[]; neg: boolean }
  | { k: 'fn'; name: string; args: Expr[] }
  | { k: 'count' };

export interface SelectItem { expr: Expr; alias?: string }

export type Collection = 'devices' | 'devices.modules';

export interface Query {
  /** undefined = SELECT * */
  select?: SelectItem[];
  top?: number;
  from: Collection;
  where?: Expr;
  groupBy?: Expr[];
}

/** Functions the emulator evaluates (name → arity). */
export const FUNCTIONS: Record<string, number> = {
  IS_DEFINED: 1, IS_NULL: 1, IS_BOOL: 1, IS_NUMBER: 1, IS_STRING: 1, IS_OBJECT: 1, IS_PRIMITIVE: 1,
  STARTSWITH: 2, ENDSWITH: 2, CONTAINS: 2, LOWER: 1, UPPER: 1,
};

const UNSUPPORTED_KEYWORDS = ['ORDER', 'JOIN', 'HAVING', 'DISTINCT', 'LIMIT', 'OFFSET', 'UNION', 'LIKE', 'BETWEEN', 'VALUE'];

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[], private readonly src: string) {}

  private peek(): Token { return this.toks[this.i]; }
  private next(): Token { return this.toks[this.i++]; }
  private isKw(word: string, tok = this.peek()): boolean { return tok.t === 'ident' && tok.v.toUpperCase() === word; }
  private isOp(op: string, tok = this.peek()): boolean { return tok.t === 'op' && tok.v === op; }
  private fail(what: string, tok = this.peek()): never {
    const near = tok.t === 'eof' ? 'end of query' : `'${this.src.slice(tok.pos, tok.pos + 20)}'`;
    throw badRequest(`Query syntax error: ${what} at position ${tok.pos + 1} near ${near}`);
  }
  private unsupportedCheck(tok = this.peek()): void {
    if (tok.t === 'ident' && UNSUPPORTED_KEYWORDS.includes(tok.v.toUpperCase())) {
      throw badRequest(`Unsupported query syntax: ${tok.v.toUpperCase()} is not supported by the IoT Hub query language emulator (position ${tok.pos + 1})`);
    }
  }
  private expectKw(word: string): void { if (!this.isKw(word)) this.fail(`expected ${word}`); this.i++; }
  private expectOp(op: string): void { if (!this.isOp(op)) this.fail(`expected '${op}'`); this.i++; }

  query(): Query {
    this.unsupportedCheck();
    this.expectKw('SELECT');
    this.unsupportedCheck();
    let top: number | undefined;
    if (this.isKw('TOP')) {
      this.i++;
      const n = this.next();
      if (n.t !== 'num' || !Number.isInteger(n.v) || n.v < 0) this.fail('TOP expects a non-negative integer', n);
      top = n.v;
    }
    let select: SelectItem[] | undefined;
    if (this.isOp('*')) this.i++;
    else {
      select = [this.selectItem()];
      while (this.isOp(',')) { this.i++; select.push(this.selectItem()); }
    }
    this.unsupportedCheck();
    this.expectKw('FROM');
    const from = this.collection();
    const q: Query = { select, top, from };
    this.unsupportedCheck();
    if (this.isKw('WHERE')) { this.i++; q.where = this.orExpr(); }
    this.unsupportedCheck();
    if (this.isKw('GROUP')) {
      this.i++;
      this.expectKw('BY');
      q.groupBy = [this.operand()];
      while (this.isOp(',')) { this.i++; q.groupBy.push(this.operand()); }
    }
    this.unsupportedCheck();
    if (this.peek().t !== 'eof') this.fail('unexpected token');
    validateGrouping(q);
    return q;
  }

  condition(): Expr {
    const e = this.orExpr();
    this.unsupportedCheck();
    if (this.peek().t !== 'eof') this.fail('unexpected token');
    return e;
  }

  private collection(): Collection {
    const t = this.next();
    if (t.t !== 'ident') this.fail('expected a collection name', t);
    const name = t.v.toLowerCase();
    if (name !== 'devices') {
      throw badRequest(`Unsupported query syntax: collection '${t.v}' (the emulator supports FROM devices and FROM devices.modules)`);
    }
    if (this.isOp('.')) {
      this.i++;
      const sub = this.next();
      if (sub.t === 'ident' && sub.v.toLowerCase() === 'modules') return 'devices.modules';
      throw badRequest(`Unsupported query syntax: collection 'devices.${sub.v}' (the emulator supports FROM devices and FROM devices.modules)`);
    }
    return 'devices';
  }

  private selectItem(): SelectItem {
    const expr = this.operand();
    let alias: string | undefined;
    if (this.isKw('AS')) {
      this.i++;
      const a = this.next();
      if (a.t !== 'ident') this.fail('expected an alias after AS', a);
      alias = a.v;
    }
    return { expr, alias };
  }

  private orExpr(): Expr {
    let l = this.andExpr();
    while (this.isKw('OR')) { this.i++; l = { k: 'or', l, r: this.andExpr() }; }
    return l;
  }

  private andExpr(): Expr {
    let l = this.notExpr();
    while (this.isKw('AND')) { this.i++; l = { k: 'and', l, r: this.notExpr() }; }
    return l;
  }

  private notExpr(): Expr {
    if (this.isKw('NOT')) { this.i++; return { k: 'not', e: this.notExpr() }; }
    return this.comparison();
  }

  private comparison(): Expr {
    if (this.isOp('(')) {
      this.i++;
      const inner = this.orExpr();
      this.expectOp(')');
      return this.comparisonTail(inner);
    }
    return this.comparisonTail(this.operand());
  }

  private comparisonTail(l: Expr): Expr {
    const t = this.peek();
    if (t.t === 'op' && ['=', '!=', '<>', '<', '>', '<=', '>='].includes(t.v)) {
      this.i++;
      const op = (t.v === '<>' ? '!=' : t.v) as '=' | '!=' | '<' | '>' | '<=' | '>=';
      return { k: 'cmp', op, l, r: this.operand() };
    }
    if (this.isKw('IN') || this.isKw('NIN') || (this.isKw('NOT') && this.isKw('IN', this.toks[this.i + 1]))) {
      let neg = this.isKw('NIN');
      if (this.isKw('NOT')) { neg = true; this.i++; }
      this.i++;
      this.expectOp('[');
      const list: Expr[] = [];
      if (!this.isOp(']')) {
        list.push(this.operand());
        while (this.isOp(',')) { this.i++; list.push(this.operand()); }
      }
      this.expectOp(']');
      return { k: 'in', e: l, list, neg };
    }
    this.unsupportedCheck();
    return l;
  }

  /** A literal, a property path, or a function call. */
  private operand(): Expr {
    const t = this.next();
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'num') return { k: 'lit', v: t.v };
    if (t.t !== 'ident') this.fail('expected a value or property path', t);
    const up = t.v.toUpperCase();
    if (up === 'TRUE') return { k: 'lit', v: true };
    if (up === 'FALSE') return { k: 'lit', v: false };
    if (up === 'NULL') return { k: 'lit', v: null };
    if (this.isOp('(')) {
      this.i++;
      const args: Expr[] = [];
      if (!this.isOp(')')) {
        args.push(this.operand());
        while (this.isOp(',')) { this.i++; args.push(this.operand()); }
      }
      this.expectOp(')');
      if (up === 'COUNT') {
        if (args.length) throw badRequest('Unsupported query syntax: COUNT takes no arguments, write COUNT()');
        return { k: 'count' };
      }
      if (['SUM', 'AVG', 'MIN', 'MAX'].includes(up)) throw badRequest(`Unsupported query syntax: aggregate ${up}() (the emulator supports COUNT())`);
      const arity = FUNCTIONS[up];
      if (arity === undefined) throw badRequest(`Unsupported query syntax: function ${t.v}()`);
      if (args.length !== arity) throw badRequest(`Query syntax error: ${up}() takes ${arity} argument(s), got ${args.length}`);
      return { k: 'fn', name: up, args };
    }
    this.unsupportedCheck(t);
    const segs = [t.v];
    while (this.isOp('.')) {
      this.i++;
      const s = this.next();
      if (s.t === 'ident' || s.t === 'brid') segs.push(s.v);
      else if (s.t === 'str') segs.push(s.v);
      else this.fail('expected a property name after .', s);
    }
    return { k: 'path', segs };
  }
}

function containsCount(e: Expr): boolean {
  return e.k === 'count';
}

function validateGrouping(q: Query): void {
  const items = q.select ?? [];
  const hasCount = items.some((s) => containsCount(s.expr));
  if (!q.groupBy) return;
  if (!q.select) throw badRequest('Query syntax error: SELECT * cannot be used with GROUP BY');
  const keys = q.groupBy.map((g) => JSON.stringify(g));
  for (const s of items) {
    if (s.expr.k !== 'count' && !keys.includes(JSON.stringify(s.expr))) {
      throw badRequest('Query syntax error: with GROUP BY every selected property must be grouped or COUNT()');
    }
  }
  void hasCount;
}

export function parseQuery(sql: string): Query {
  if (typeof sql !== 'string' || !sql.trim()) throw badRequest('The query is empty');
  return new Parser(tokenize(sql), sql).query();
}

/** A bare WHERE condition (a configuration's targetCondition). */
export function parseCondition(text: string): Expr {
  return new Parser(tokenize(text), text).condition();
}
