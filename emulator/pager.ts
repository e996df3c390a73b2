import * as crypto from 'crypto';
import { badRequest } from './errors';
import { compileQuery, QuerySource } from './query/run';

interface Snapshot {
  sql: string;
  rows: unknown[];
  itemType: 'Twin' | 'JSON';
  expires: number;
}

export interface Page {
  rows: unknown[];
  itemType: 'Twin' | 'JSON';
  /** Present only when more rows follow (the SDK stops when the header is absent). */
  continuation?: string;
}

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;
const TTL_MS = 5 * 60_000;
const MAX_SNAPSHOTS = 64;

/**
 * Paged query results. The first page runs the query and keeps the result as a snapshot, so later
 * pages are consistent and cheap; the continuation token is opaque (snapshot id + offset). An
 * expired or unknown token re-runs the query and continues at its offset, so paging survives a
 * restart.
 */
export class QueryPager {
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(private readonly source: QuerySource) {}

  page(sql: string, maxItems: number | undefined, continuation: string | undefined): Page {
    if (maxItems !== undefined && (!Number.isInteger(maxItems) || maxItems < 1)) throw badRequest('x-ms-max-item-count must be a positive integer');
    const size = Math.min(maxItems ?? DEFAULT_PAGE, MAX_PAGE);
    let id: string;
    let offset = 0;
    if (continuation) {
      const tok = decodeToken(continuation);
      id = tok.id;
      offset = tok.offset;
    } else id = crypto.randomBytes(9).toString('base64url');
    this.evict();
    let snap = this.snapshots.get(id);
    if (!snap || snap.sql !== sql) {
      const result = compileQuery(sql).run(this.source);
      snap = { sql, rows: result.rows, itemType: result.itemType, expires: 0 };
    }
    const rows = snap.rows.slice(offset, offset + size);
    const next = offset + size;
    if (next < snap.rows.length) {
      snap.expires = Date.now() + TTL_MS;
      this.snapshots.set(id, snap);
      return { rows, itemType: snap.itemType, continuation: encodeToken(id, next) };
    }
    this.snapshots.delete(id);
    return { rows, itemType: snap.itemType };
  }

  private evict(): void {
    const now = Date.now();
    for (const [k, s] of this.snapshots) if (s.expires < now) this.snapshots.delete(k);
    while (this.snapshots.size >= MAX_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value as string);
  }
}

function encodeToken(id: string, offset: number): string {
  return Buffer.from(JSON.stringify({ id, offset })).toString('base64');
}

function decodeToken(token: string): { id: string; offset: number } {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { id?: unknown; offset?: unknown };
    if (typeof v.id === 'string' && typeof v.offset === 'number' && Number.isInteger(v.offset) && v.offset >= 0) return { id: v.id, offset: v.offset };
  } catch { /* fall through */ }
  throw badRequest('x-ms-continuation token is not valid');
}
