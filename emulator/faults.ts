import { badRequest } from './errors';

/**
 * Fault injection for reliability tests. A rule picks requests by route and decides, per matching
 * request, whether to fail it:
 *   { "route": "POST /devices/query", "fault": 429, "retryAfterSeconds": 1, "times": 2 }
 *   { "route": "* /twins/*", "fault": 503, "rate": 0.2 }
 *   { "route": "PUT /configurations/*", "fault": "stall", "stallMs": 5000, "schedule": [1, 3] }
 * `route` is "<METHOD|*> <path glob>" where `*` matches within a segment and `**` across segments.
 * Selection: `schedule` (1-based ordinals of matching requests), else `times` (the first N), else
 * `rate` (probability 0..1, deterministic with `seed`), else every matching request.
 */
export type FaultKind = 429 | 500 | 503 | 'stall';

export interface FaultRule {
  route: string;
  fault: FaultKind;
  rate?: number;
  times?: number;
  schedule?: number[];
  retryAfterSeconds?: number;
  stallMs?: number;
  seed?: number;
}

export interface FaultDecision {
  fault: FaultKind;
  retryAfterSeconds: number;
  stallMs: number;
}

interface ActiveRule {
  rule: FaultRule;
  method: string;
  path: RegExp;
  seen: number;
  rng: () => number;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') { re += '.*'; i++; }
    else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** Small seeded PRNG (mulberry32) so a fault rate is reproducible in tests. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaultRules(input: unknown, where = 'faults'): FaultRule[] {
  if (!Array.isArray(input)) throw badRequest(`${where} must be an array of rules`);
  return input.map((r, i) => {
    const at = `${where}[${i}]`;
    if (r === null || typeof r !== 'object') throw badRequest(`${at} must be an object`);
    const rule = r as FaultRule;
    if (typeof rule.route !== 'string' || !/^\S+\s+\/\S*$/.test(rule.route)) throw badRequest(`${at}.route must look like "POST /devices/query" or "* /twins/*"`);
    if (![429, 500, 503, 'stall'].includes(rule.fault)) throw badRequest(`${at}.fault must be 429, 500, 503 or "stall"`);
    if (rule.rate !== undefined && (typeof rule.rate !== 'number' || rule.rate < 0 || rule.rate > 1)) throw badRequest(`${at}.rate must be a number between 0 and 1`);
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 0)) throw badRequest(`${at}.times must be a non-negative integer`);
    if (rule.schedule !== undefined && (!Array.isArray(rule.schedule) || rule.schedule.some((n) => !Number.isInteger(n) || n < 1))) throw badRequest(`${at}.schedule must be an array of positive integers`);
    return rule;
  });
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  set(rules: FaultRule[]): void {
    this.rules = validateFaultRules(rules).map((rule) => {
      const [method, path] = rule.route.trim().split(/\s+/, 2);
      return { rule, method: method.toUpperCase(), path: globToRegExp(path), seen: 0, rng: rng(rule.seed ?? 1) };
    });
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  /** The first rule that fires for this request, if any (each matching rule counts the request). */
  decide(method: string, path: string): FaultDecision | undefined {
    let hit: FaultDecision | undefined;
    for (const r of this.rules) {
      if ((r.method !== '*' && r.method !== method.toUpperCase()) || !r.path.test(path)) continue;
      r.seen++;
      const { rule } = r;
      let fire: boolean;
      if (rule.schedule) fire = rule.schedule.includes(r.seen);
      else if (rule.times !== undefined) fire = r.seen <= rule.times;
      else if (rule.rate !== undefined) fire = r.rng() < rule.rate;
      else fire = true;
      if (fire && !hit) hit = { fault: rule.fault, retryAfterSeconds: rule.retryAfterSeconds ?? 1, stallMs: rule.stallMs ?? 30_000 };
    }
    return hit;
  }
}
