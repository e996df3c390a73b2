import { badRequest } from '../errors';
import { compileExpr, compilePredicate, Eval, Row } from './compile';
import { Expr, parseQuery, Query } from './parser';

/** Where a query reads from: the hub's twins, plus how to render a full twin for SELECT *. */
export interface QuerySource {
  deviceTwins(): Iterable<Row>;
  moduleTwins(): Iterable<Row>;
  render(twin: Row): Record<string, unknown>;
}

export interface QueryResult {
  rows: unknown[];
  /** 'Twin' for SELECT * (the SDK's nextAsTwin), 'JSON' for projections and aggregates. */
  itemType: 'Twin' | 'JSON';
}

function columnName(expr: Expr, alias: string | undefined, index: number): string {
  if (alias) return alias;
  if (expr.k === 'path') return expr.segs[expr.segs.length - 1];
  return `$${index + 1}`;
}

/** A query compiled once; run() scans the twins. */
export class CompiledQuery {
  private readonly where: (row: Row) => boolean;
  constructor(readonly query: Query) {
    this.where = compilePredicate(query.where);
    const items = query.select ?? [];
    const hasCount = items.some((s) => s.expr.k === 'count');
    if (hasCount && !query.groupBy && items.some((s) => s.expr.k !== 'count')) {
      throw badRequest('Query syntax error: a query with COUNT() and other properties needs GROUP BY');
    }
  }

  /** Number of matching twins (what configuration metrics report). */
  count(src: QuerySource): number {
    let n = 0;
    for (const row of this.scan(src)) { void row; n++; }
    return n;
  }

  *scan(src: QuerySource): Iterable<Row> {
    const rows = this.query.from === 'devices' ? src.deviceTwins() : src.moduleTwins();
    for (const row of rows) if (this.where(row)) yield row;
  }

  run(src: QuerySource): QueryResult {
    const q = this.query;
    let out: unknown[];
    if (!q.select) {
      out = [];
      for (const row of this.scan(src)) {
        out.push(src.render(row));
        if (q.top !== undefined && out.length >= q.top) break;
      }
      return { rows: out, itemType: 'Twin' };
    }
    const cols = q.select.map((s, i) => ({ name: columnName(s.expr, s.alias, i), count: s.expr.k === 'count', f: compileExpr(s.expr) }));
    if (q.groupBy) out = this.grouped(src, cols, q.groupBy.map(compileExpr), q.select.map((s) => JSON.stringify(s.expr)), q.groupBy.map((g) => JSON.stringify(g)));
    else if (cols.some((c) => c.count)) {
      const n = this.count(src);
      out = [Object.fromEntries(cols.map((c) => [c.name, n]))];
    } else {
      out = [];
      for (const row of this.scan(src)) {
        const o: Record<string, unknown> = {};
        for (const c of cols) {
          const v = c.f(row);
          if (v !== undefined) o[c.name] = clone(v);
        }
        out.push(o);
        if (q.top !== undefined && out.length >= q.top) break;
      }
    }
    if (q.top !== undefined) out = out.slice(0, q.top);
    return { rows: out, itemType: 'JSON' };
  }

  private grouped(src: QuerySource, cols: { name: string; count: boolean; f: Eval }[], keys: Eval[], selectKeys: string[], groupKeys: string[]): unknown[] {
    const groups = new Map<string, { values: unknown[]; n: number }>();
    for (const row of this.scan(src)) {
      const values = keys.map((k) => k(row));
      const id = JSON.stringify(values.map((v) => (v === undefined ? { $undefined: true } : v)));
      const g = groups.get(id);
      if (g) g.n++;
      else groups.set(id, { values, n: 1 });
    }
    const out: unknown[] = [];
    for (const g of groups.values()) {
      const o: Record<string, unknown> = {};
      cols.forEach((c, i) => {
        if (c.count) { o[c.name] = g.n; return; }
        const v = g.values[groupKeys.indexOf(selectKeys[i])];
        if (v !== undefined) o[c.name] = clone(v);
      });
      out.push(o);
    }
    return out;
  }
}

function clone(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v;
}

export function compileQuery(sql: string): CompiledQuery {
  return new CompiledQuery(parseQuery(sql));
}
