/**
 * IoT Hub's MQTT contract, as pure parsing functions: the CONNECT user name and the topics a
 * device or module publishes on. See docs/emulator.md ("Device side").
 */

export interface Identity {
  deviceId: string;
  moduleId?: string;
}

/** `deviceId` or `deviceId/moduleId`: the MQTT client id IoT Hub expects for an identity. */
export function clientIdOf(id: Identity): string {
  return id.moduleId === undefined ? id.deviceId : `${id.deviceId}/${id.moduleId}`;
}

export function identityKey(id: Identity): string {
  return clientIdOf(id);
}

/**
 * `{hub}/{deviceId}[/{moduleId}]/?api-version=…[&DeviceClientType=…]` → host and identity.
 * Undefined when the shape is wrong. Ids never contain '/', the host never does either.
 */
export function parseUsername(username: string | undefined): (Identity & { host: string }) | undefined {
  if (!username) return undefined;
  const q = username.indexOf('?');
  const pathPart = (q >= 0 ? username.slice(0, q) : username).replace(/\/+$/, '');
  const query = q >= 0 ? username.slice(q + 1) : '';
  const parts = pathPart.split('/');
  // Some clients omit the '?' and write `…/api-version=…`.
  if (parts.length > 1 && parts[parts.length - 1].startsWith('api-version=')) parts.pop();
  else if (!/(^|&)api-version=/.test(query)) return undefined;
  if (parts.length !== 2 && parts.length !== 3) return undefined;
  if (parts.some((p) => p === '')) return undefined;
  return { host: parts[0], deviceId: parts[1], moduleId: parts[2] };
}

/** `k=v&k2=v2` (URL-encoded, as the SDKs write message properties into topics). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = eq >= 0 ? pair.slice(0, eq) : pair;
    const v = eq >= 0 ? pair.slice(eq + 1) : '';
    out[safeDecode(k)] = safeDecode(v);
  }
  return out;
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

export type DevicePublish =
  | { kind: 'twinGet'; rid: string }
  | { kind: 'twinReported'; rid: string }
  | { kind: 'methodResponse'; rid: string; status: number }
  | { kind: 'telemetry'; deviceId: string; moduleId?: string; properties: Record<string, string> }
  | { kind: 'unknown' };

/** Classifies a PUBLISH from a device or module (what IoT Hub accepts from clients). */
export function parseDevicePublish(topic: string): DevicePublish {
  if (topic.startsWith('$iothub/')) {
    const q = topic.indexOf('?');
    const path = (q >= 0 ? topic.slice(0, q) : topic).replace(/\/+$/, '');
    const query = parseProperties(q >= 0 ? topic.slice(q + 1) : '');
    const rid = query.$rid ?? '';
    if (path === '$iothub/twin/GET' && rid) return { kind: 'twinGet', rid };
    if (path === '$iothub/twin/PATCH/properties/reported' && rid) return { kind: 'twinReported', rid };
    const m = /^\$iothub\/methods\/res\/(\d{3})$/.exec(path);
    if (m && rid) return { kind: 'methodResponse', rid, status: Number(m[1]) };
    return { kind: 'unknown' };
  }
  // devices/{d}/messages/events/{props} or devices/{d}/modules/{m}/messages/events/{props}
  const parts = topic.split('/');
  if (parts[0] !== 'devices' || !parts[1]) return { kind: 'unknown' };
  let i = 2;
  let moduleId: string | undefined;
  if (parts[2] === 'modules') { moduleId = parts[3]; i = 4; if (!moduleId) return { kind: 'unknown' }; }
  if (parts[i] !== 'messages' || parts[i + 1] !== 'events') return { kind: 'unknown' };
  const props = parts.slice(i + 2).join('/').replace(/\/+$/, ''); // the SDK ends the topic with '/'
  return { kind: 'telemetry', deviceId: parts[1], moduleId, properties: parseProperties(props) };
}

/** What an identity may subscribe to, and what each subscription means. */
export type SubscriptionKind = 'twinResponses' | 'desired' | 'methods' | 'c2d' | 'inputs';

export function subscriptionKind(filter: string, id: Identity): SubscriptionKind | undefined {
  if (filter === '$iothub/twin/res/#') return 'twinResponses';
  if (filter === '$iothub/twin/PATCH/properties/desired/#') return 'desired';
  if (filter === '$iothub/methods/POST/#') return 'methods';
  if (id.moduleId === undefined && filter === `devices/${id.deviceId}/messages/devicebound/#`) return 'c2d';
  if (id.moduleId !== undefined && filter === `devices/${id.deviceId}/modules/${id.moduleId}/inputs/#`) return 'inputs';
  return undefined;
}

export function encodeProperties(props: Record<string, string>): string {
  return Object.entries(props).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
