/**
 * Recent device-to-cloud messages per device and module, bounded so a long run or 10,000 chatty
 * devices cannot grow memory without limit: a small ring per identity (newest kept), bodies cut
 * to a few KB, and counters that keep counting after the ring wraps.
 */

// The wire shapes are the client's contract (shared/hub/telemetry.ts); the store produces exactly them.
import type { TelemetryMessage, TelemetrySummary } from '../../shared/hub/telemetry';
export type { TelemetryMessage, TelemetrySummary };

export interface TelemetryQuery {
  deviceId?: string;
  moduleId?: string;
  /** ISO time; only messages at or after it. */
  since?: string;
  limit?: number;
}

interface Ring {
  deviceId: string;
  moduleId?: string;
  items: TelemetryMessage[];
  next: number;
  total: number;
  first: string;
  last: string;
  lastMs: number;
}

export interface TelemetryStoreOptions {
  perIdentity?: number;
  maxBodyBytes?: number;
}

export class TelemetryStore {
  private readonly rings = new Map<string, Ring>();
  private readonly perIdentity: number;
  private readonly maxBody: number;

  constructor(opts: TelemetryStoreOptions = {}) {
    this.perIdentity = Math.max(1, opts.perIdentity ?? 50);
    this.maxBody = Math.max(16, opts.maxBodyBytes ?? 4096);
  }

  add(deviceId: string, moduleId: string | undefined, payload: Buffer, properties: Record<string, string>, now = new Date()): TelemetryMessage {
    const cut = payload.length > this.maxBody ? payload.subarray(0, this.maxBody) : payload;
    const text = cut.toString('utf8');
    const utf8 = Buffer.from(text, 'utf8').equals(cut);
    const msg: TelemetryMessage = {
      deviceId, enqueuedTimeUtc: now.toISOString(), body: utf8 ? text : cut.toString('base64'), bodyEncoding: utf8 ? 'utf8' : 'base64', properties,
    };
    if (moduleId !== undefined) msg.moduleId = moduleId;
    if (cut !== payload) msg.truncated = true;
    if (properties['$.on']) msg.outputName = properties['$.on'];
    const key = moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`;
    let ring = this.rings.get(key);
    if (!ring) {
      ring = { deviceId, moduleId, items: [], next: 0, total: 0, first: msg.enqueuedTimeUtc, last: '', lastMs: 0 };
      this.rings.set(key, ring);
    }
    if (ring.items.length < this.perIdentity) ring.items.push(msg);
    else { ring.items[ring.next] = msg; ring.next = (ring.next + 1) % this.perIdentity; }
    ring.total++;
    ring.last = msg.enqueuedTimeUtc;
    ring.lastMs = now.getTime();
    return msg;
  }

  /** Forgets an identity's messages (identity deleted). */
  forget(deviceId: string, moduleId?: string): void {
    if (moduleId !== undefined) { this.rings.delete(`${deviceId}/${moduleId}`); return; }
    for (const [k, r] of this.rings) if (r.deviceId === deviceId) this.rings.delete(k);
  }

  private matching(q: TelemetryQuery): Ring[] {
    if (q.deviceId !== undefined && q.moduleId !== undefined) {
      const r = this.rings.get(`${q.deviceId}/${q.moduleId}`);
      return r ? [r] : [];
    }
    return [...this.rings.values()].filter((r) =>
      (q.deviceId === undefined || r.deviceId === q.deviceId) && (q.moduleId === undefined || r.moduleId === q.moduleId));
  }

  private ordered(r: Ring): TelemetryMessage[] {
    return r.items.length < this.perIdentity ? r.items : [...r.items.slice(r.next), ...r.items.slice(0, r.next)];
  }

  /** Kept messages, oldest first; `limit` keeps the newest ones. */
  messages(q: TelemetryQuery = {}): TelemetryMessage[] {
    const sinceMs = q.since ? Date.parse(q.since) : undefined;
    const out: TelemetryMessage[] = [];
    for (const r of this.matching(q)) {
      if (sinceMs !== undefined && r.lastMs < sinceMs) continue;
      for (const m of this.ordered(r)) if (sinceMs === undefined || Date.parse(m.enqueuedTimeUtc) >= sinceMs) out.push(m);
    }
    out.sort((a, b) => a.enqueuedTimeUtc.localeCompare(b.enqueuedTimeUtc));
    const limit = q.limit ?? 100;
    return out.length > limit ? out.slice(out.length - limit) : out;
  }

  /** One row per identity that sent anything (at or after `since` when given). */
  summary(q: TelemetryQuery = {}): TelemetrySummary[] {
    const sinceMs = q.since ? Date.parse(q.since) : undefined;
    const out: TelemetrySummary[] = [];
    for (const r of this.matching(q)) {
      if (sinceMs !== undefined && r.lastMs < sinceMs) continue;
      const countSince = sinceMs === undefined ? r.items.length : r.items.filter((m) => Date.parse(m.enqueuedTimeUtc) >= sinceMs).length;
      const row: TelemetrySummary = { deviceId: r.deviceId, total: r.total, countSince, firstEnqueuedTimeUtc: r.first, lastEnqueuedTimeUtc: r.last };
      if (r.moduleId !== undefined) row.moduleId = r.moduleId;
      out.push(row);
    }
    return out;
  }
}
