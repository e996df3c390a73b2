/**
 * The part of edgeHub's routing the emulator imitates: module outputs to module inputs
 * (`FROM /messages/modules/A/outputs/o INTO BrokeredEndpoint("/modules/B/inputs/i")`), read from
 * the device's `$edgeHub` desired `routes`. WHERE clauses are not evaluated (such routes are
 * skipped); `$upstream` needs nothing — every message is kept as telemetry anyway.
 */

export interface InputTarget {
  moduleId: string;
  inputName: string;
}

interface ParsedRoute {
  fromModule: string | '*';
  fromOutput: string | '*';
  target: InputTarget;
}

const ROUTE_RE = /^\s*FROM\s+\/messages\/(?:modules\/([^/\s]+)\/(?:outputs\/([^/\s]+)|\*)|\*)\s+INTO\s+BrokeredEndpoint\(\s*["']\/modules\/([^/"']+)\/inputs\/([^/"']+)["']\s*\)\s*$/i;

const cache = new Map<string, ParsedRoute | null>();

function parseRoute(text: string): ParsedRoute | null {
  let r = cache.get(text);
  if (r !== undefined) return r;
  const m = ROUTE_RE.exec(text);
  r = m ? { fromModule: m[1] ?? '*', fromOutput: m[2] ?? '*', target: { moduleId: m[3], inputName: m[4] } } : null;
  if (cache.size > 10_000) cache.clear();
  cache.set(text, r);
  return r;
}

/** Route texts from `$edgeHub` desired: schema 1.0 strings, or 1.1 objects `{route, priority, timeToLiveSecs}`. */
function routeTexts(routes: unknown): string[] {
  if (!routes || typeof routes !== 'object') return [];
  const out: string[] = [];
  for (const v of Object.values(routes as Record<string, unknown>)) {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object' && typeof (v as { route?: unknown }).route === 'string') out.push((v as { route: string }).route);
  }
  return out;
}

/** Inputs a module output message goes to. */
export function inputTargets(edgeHubDesired: Record<string, unknown> | undefined, fromModule: string, output: string | undefined): InputTarget[] {
  if (!edgeHubDesired || output === undefined) return [];
  const out: InputTarget[] = [];
  for (const text of routeTexts(edgeHubDesired.routes)) {
    const r = parseRoute(text);
    if (!r) continue;
    if ((r.fromModule === '*' || r.fromModule === fromModule) && (r.fromOutput === '*' || r.fromOutput === output)) out.push(r.target);
  }
  return out;
}
