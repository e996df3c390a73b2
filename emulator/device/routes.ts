import { badRequest } from '../errors';
import type { Route, RouteRequest } from '../routes';
import type { HubState } from '../state';
import type { DeviceEndpoint } from './endpoint';
import { TelemetryQuery } from './telemetry';

/** Which device endpoint serves which hub (several emulators may run in one process, e.g. tests). */
const endpoints = new WeakMap<HubState, DeviceEndpoint>();

export function attachEndpoint(state: HubState, ep: DeviceEndpoint | undefined): void {
  if (ep) endpoints.set(state, ep); else endpoints.delete(state);
}

function query(req: RouteRequest): TelemetryQuery {
  const q = req.query ?? new URLSearchParams();
  const out: TelemetryQuery = {};
  const deviceId = q.get('deviceId');
  const moduleId = q.get('moduleId');
  const since = q.get('since');
  const limit = q.get('limit');
  if (deviceId) out.deviceId = deviceId;
  if (moduleId) out.moduleId = moduleId;
  if (since) {
    if (Number.isNaN(Date.parse(since))) throw badRequest(`since must be an ISO 8601 time, got '${since}'`);
    out.since = since;
  }
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw badRequest(`limit must be an integer from 1 to 10000, got '${limit}'`);
    out.limit = n;
  }
  return out;
}

const route = (path: string, handle: Route['handle']): Route => ({ method: 'GET', pattern: new RegExp(`^${path}/?$`), rights: 'owner', handle });

/**
 * Emulator-only telemetry queries (owner policy): what devices and modules sent recently.
 *   GET /_emulator/telemetry?deviceId=&moduleId=&since=&limit=   → { messages: [...] } (oldest first)
 *   GET /_emulator/telemetry/summary?deviceId=&moduleId=&since=   → { identities: [...] }
 */
export const deviceRoutes: Route[] = [
  route('/_emulator/telemetry', ({ state }, req) => ({ status: 200, body: { messages: endpoints.get(state)?.telemetry.messages(query(req)) ?? [] } })),
  route('/_emulator/telemetry/summary', ({ state }, req) => ({ status: 200, body: { identities: endpoints.get(state)?.telemetry.summary(query(req)) ?? [] } })),
];
