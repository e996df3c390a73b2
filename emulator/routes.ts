import { Right } from './auth';
import { DeploymentEngine } from './deployments';
import { badRequest, HubError } from './errors';
import { FaultInjector, validateFaultRules } from './faults';
import { MethodDispatcher } from './methods';
import { QueryPager } from './pager';
import { renderDevice, renderModule, renderTwinDoc } from './render';
import { HubState, normalizeIfMatch } from './state';
import { isPlainObject, Json } from './twin';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  params: string[];
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** URL query parameters (emulator-only routes use them). */
  query?: URLSearchParams;
}

export interface RouteContext {
  state: HubState;
  deployments: DeploymentEngine;
  pager: QueryPager;
  faults: FaultInjector;
  methods(): MethodDispatcher;
}

export interface Route {
  method: string;
  pattern: RegExp;
  /** Any one of these rights suffices; 'owner' routes need every right. */
  rights: Right[] | 'owner';
  handle(ctx: RouteContext, req: RouteRequest): Promise<Reply> | Reply;
}

const ID = '([^/]+)';
const header = (req: RouteRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
const ifMatch = (req: RouteRequest) => normalizeIfMatch(header(req, 'if-match'));
const etagHeader = (etag: string) => ({ ETag: `"${etag}"` });

function objectBody(req: RouteRequest, what: string): Json {
  if (!isPlainObject(req.body)) throw badRequest(`The request body must be a JSON object (${what})`);
  return req.body;
}

const R = (method: string, path: string, rights: Route['rights'], handle: Route['handle']): Route => ({
  method, pattern: new RegExp(`^${path.replace(/\{id\}/g, ID)}/?$`), rights, handle,
});

export const routes: Route[] = [
  // ---- identities
  // Like IoT Hub, the list is capped at 1000 identities; queries page through everything.
  R('GET', '/devices', ['registryRead'], ({ state }) => ({ status: 200, body: [...state.devices.values()].slice(0, 1000).map(renderDevice) })),
  R('POST', '/devices/query', ['registryRead', 'serviceConnect'], ({ pager }, req) => {
    const body = objectBody(req, 'query');
    if (typeof body.query !== 'string') throw badRequest('The request body must have a "query" string');
    const max = header(req, 'x-ms-max-item-count');
    const page = pager.page(body.query, max === undefined ? undefined : Number(max), header(req, 'x-ms-continuation'));
    const headers: Record<string, string> = { 'x-ms-item-type': page.itemType };
    if (page.continuation) headers['x-ms-continuation'] = page.continuation;
    return { status: 200, body: page.rows, headers };
  }),
  R('POST', '/devices', ['registryWrite'], ({ state }, req) => bulk(state, req.body)),
  R('GET', '/devices/{id}', ['registryRead'], ({ state }, { params }) => {
    const d = state.getDevice(params[0]);
    return { status: 200, body: renderDevice(d), headers: etagHeader(d.etag) };
  }),
  R('PUT', '/devices/{id}', ['registryWrite'], ({ state }, req) => {
    const d = state.putDevice(req.params[0], objectBody(req, 'device'), ifMatch(req));
    return { status: 200, body: renderDevice(d), headers: etagHeader(d.etag) };
  }),
  R('DELETE', '/devices/{id}', ['registryWrite'], ({ state }, req) => {
    state.deleteDevice(req.params[0], ifMatch(req));
    return { status: 204 };
  }),
  R('POST', '/devices/{id}/applyConfigurationContent', ['registryWrite'], ({ deployments }, req) => {
    deployments.applyContent(req.params[0], objectBody(req, 'configuration content'));
    return { status: 204 };
  }),
  R('GET', '/devices/{id}/modules', ['registryRead'], ({ state }, { params }) => ({
    status: 200, body: Object.values(state.getDevice(params[0]).modules).map(renderModule),
  })),
  R('GET', '/devices/{id}/modules/{id}', ['registryRead'], ({ state }, { params }) => {
    const m = state.getModule(params[0], params[1]);
    return { status: 200, body: renderModule(m), headers: etagHeader(m.etag) };
  }),
  R('PUT', '/devices/{id}/modules/{id}', ['registryWrite'], ({ state }, req) => {
    const m = state.putModule(req.params[0], req.params[1], objectBody(req, 'module'), ifMatch(req));
    return { status: 200, body: renderModule(m), headers: etagHeader(m.etag) };
  }),
  R('DELETE', '/devices/{id}/modules/{id}', ['registryWrite'], ({ state }, req) => {
    state.deleteModule(req.params[0], req.params[1], ifMatch(req));
    return { status: 204 };
  }),
  // ---- twins
  R('GET', '/twins/{id}', ['registryRead', 'serviceConnect'], ({ state }, { params }) => twinReply(state, params[0])),
  R('GET', '/twins/{id}/modules/{id}', ['registryRead', 'serviceConnect'], ({ state }, { params }) => twinReply(state, params[0], params[1])),
  ...(['PATCH', 'PUT'] as const).flatMap((verb) => [
    R(verb, '/twins/{id}', ['serviceConnect', 'registryWrite'], ({ state }, req) => {
      state.updateTwin(req.params[0], undefined, objectBody(req, 'twin patch'), ifMatch(req), verb === 'PUT');
      return twinReply(state, req.params[0]);
    }),
    R(verb, '/twins/{id}/modules/{id}', ['serviceConnect', 'registryWrite'], ({ state }, req) => {
      state.updateTwin(req.params[0], req.params[1], objectBody(req, 'twin patch'), ifMatch(req), verb === 'PUT');
      return twinReply(state, req.params[0], req.params[1]);
    }),
  ]),
  // ---- direct methods
  R('POST', '/twins/{id}/methods', ['serviceConnect'], (ctx, req) => invokeMethod(ctx, req, req.params[0])),
  R('POST', '/twins/{id}/modules/{id}/methods', ['serviceConnect'], (ctx, req) => invokeMethod(ctx, req, req.params[0], req.params[1])),
  // ---- configurations
  R('GET', '/configurations', ['registryRead'], ({ deployments }) => ({ status: 200, body: deployments.list() })),
  R('GET', '/configurations/{id}', ['registryRead'], ({ deployments }, { params }) => {
    const c = deployments.get(params[0]);
    return { status: 200, body: c, headers: etagHeader(String(c.etag)) };
  }),
  R('PUT', '/configurations/{id}', ['registryWrite'], ({ deployments }, req) => {
    const c = deployments.put(req.params[0], objectBody(req, 'configuration'), header(req, 'if-match'));
    return { status: 200, body: c, headers: etagHeader(String(c.etag)) };
  }),
  R('DELETE', '/configurations/{id}', ['registryWrite'], ({ deployments }, req) => {
    deployments.remove(req.params[0], header(req, 'if-match'));
    return { status: 204 };
  }),
  // ---- statistics
  R('GET', '/statistics/devices', ['registryRead'], ({ state }) => {
    const all = [...state.devices.values()];
    const enabled = all.filter((d) => d.status === 'enabled').length;
    return { status: 200, body: { totalDeviceCount: all.length, enabledDeviceCount: enabled, disabledDeviceCount: all.length - enabled } };
  }),
  R('GET', '/statistics/service', ['registryRead', 'serviceConnect'], ({ state }) => ({
    status: 200, body: { connectedDeviceCount: [...state.devices.values()].filter((d) => d.connectionState === 'Connected').length },
  })),
  // ---- emulator control (fault injection), owner policy only
  R('GET', '/_emulator/faults', 'owner', ({ faults }) => ({ status: 200, body: faults.list() })),
  R('PUT', '/_emulator/faults', 'owner', ({ faults }, req) => {
    faults.set(validateFaultRules(req.body, 'body'));
    return { status: 200, body: faults.list() };
  }),
];

function twinReply(state: HubState, deviceId: string, moduleId?: string): Reply {
  const t = state.twinOf(deviceId, moduleId);
  return { status: 200, body: renderTwinDoc(state, t), headers: etagHeader(t.etag) };
}

async function invokeMethod(ctx: RouteContext, req: RouteRequest, deviceId: string, moduleId?: string): Promise<Reply> {
  const body = objectBody(req, 'method invocation');
  if (typeof body.methodName !== 'string' || !body.methodName) throw badRequest('methodName is required');
  if (moduleId === undefined) ctx.state.getDevice(deviceId);
  else ctx.state.getModule(deviceId, moduleId);
  const num = (v: unknown, d: number) => (typeof v === 'number' && v >= 0 ? v : d);
  const res = await ctx.methods().invoke(deviceId, moduleId, {
    methodName: body.methodName,
    payload: body.payload ?? null,
    responseTimeoutInSeconds: num(body.responseTimeoutInSeconds, 30),
    connectTimeoutInSeconds: num(body.connectTimeoutInSeconds, 0),
  });
  return { status: 200, body: { status: res.status, payload: res.payload } };
}

/** POST /devices: bulk create/update/delete (the SDK's addDevices/updateDevices/removeDevices). */
function bulk(state: HubState, body: unknown): Reply {
  if (!Array.isArray(body)) throw badRequest('Bulk registry operations need a JSON array of devices');
  if (body.length === 0 || body.length > 100) throw badRequest(`Bulk registry operations take 1 to 100 devices, got ${body.length}`);
  const errors: Json[] = [];
  for (const item of body) {
    if (!isPlainObject(item) || typeof item.id !== 'string') { errors.push({ deviceId: null, errorCode: 'ArgumentInvalid', errorStatus: 'Each device needs an id' }); continue; }
    const { id, importMode, ...rest } = item;
    const mode = String(importMode ?? 'create').toLowerCase();
    const etag = typeof rest.eTag === 'string' ? rest.eTag : typeof rest.etag === 'string' ? rest.etag : undefined;
    try {
      switch (mode) {
        case 'create': state.putDevice(id, rest, undefined); break;
        case 'update': case 'createorupdate': state.putDevice(id, rest, '*'); break;
        case 'updateifmatchetag': state.putDevice(id, rest, etag ?? ''); break;
        case 'delete': state.deleteDevice(id, '*'); break;
        case 'deleteifmatchetag': state.deleteDevice(id, etag ?? ''); break;
        default: throw badRequest(`importMode '${String(importMode)}' is not supported`);
      }
    } catch (e) {
      if (!(e instanceof HubError)) throw e;
      errors.push({ deviceId: id, errorCode: e.code, errorStatus: e.message });
    }
  }
  return { status: errors.length ? 400 : 200, body: { isSuccessful: errors.length === 0, errors, warnings: [] } };
}
