import * as crypto from 'crypto';
import { unauthorized } from './errors';

export type Right = 'registryRead' | 'registryWrite' | 'serviceConnect' | 'deviceConnect';

export interface AccessPolicy {
  keyName: string;
  primaryKey: string;
  secondaryKey: string;
  rights: Right[];
}

export function newKey(): string {
  return crypto.randomBytes(32).toString('base64');
}

/** The policies a new IoT hub starts with. */
export function defaultPolicies(): AccessPolicy[] {
  const p = (keyName: string, rights: Right[]): AccessPolicy => ({ keyName, primaryKey: newKey(), secondaryKey: newKey(), rights });
  return [
    p('iothubowner', ['registryRead', 'registryWrite', 'serviceConnect', 'deviceConnect']),
    p('service', ['serviceConnect']),
    p('device', ['deviceConnect']),
    p('registryRead', ['registryRead']),
    p('registryReadWrite', ['registryRead', 'registryWrite']),
  ];
}

export interface SasToken {
  sr: string;
  sig: string;
  se: string;
  skn?: string;
}

/** Parses `SharedAccessSignature sr=…&sig=…&se=…[&skn=…]`; undefined when it is not one. */
export function parseSas(header: string | undefined): SasToken | undefined {
  if (!header || !header.startsWith('SharedAccessSignature ')) return undefined;
  const fields: Record<string, string> = {};
  for (const part of header.slice('SharedAccessSignature '.length).trim().split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  if (!fields.sr || !fields.sig || !fields.se) return undefined;
  return { sr: fields.sr, sig: fields.sig, se: fields.se, skn: fields.skn };
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** HMAC-SHA256 over `sr + "\n" + se` (sr exactly as sent) with the base64-decoded key. */
export function signSas(sr: string, se: string, key: string): string {
  return crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64');
}

function timingSafeEqualStr(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True when the token was signed with `key` (either of a key pair is checked by the caller). */
export function signatureMatches(tok: SasToken, key: string): boolean {
  return timingSafeEqualStr(signSas(tok.sr, tok.se, key), safeDecode(tok.sig));
}

/** True when the token's resource (sr) is inside `resource` (case-insensitive, like IoT Hub). */
export function resourceCovers(tok: SasToken, resource: string): boolean {
  const sr = safeDecode(tok.sr).toLowerCase().replace(/\/+$/, '');
  const base = resource.toLowerCase();
  return sr === base || base.startsWith(sr + '/');
}

export function expired(tok: SasToken, nowMs = Date.now()): boolean {
  const se = Number(tok.se);
  return !Number.isFinite(se) || se * 1000 <= nowMs;
}

/**
 * Verifies a service-API request: a policy token for this hub, not expired, signed with one of the
 * policy's keys, and the policy has one of `anyOf` rights. Every failure is the same 401 as the hub's.
 */
export function authorizeService(header: string | undefined, hostNames: string[], policies: AccessPolicy[], anyOf: Right[], nowMs = Date.now()): AccessPolicy {
  const tok = parseSas(header);
  if (!tok) throw unauthorized('Authorization header missing or not a SharedAccessSignature');
  if (!tok.skn) throw unauthorized('Device or module tokens cannot call the service API');
  if (expired(tok, nowMs)) throw unauthorized('SharedAccessSignature has expired');
  if (!hostNames.some((h) => resourceCovers(tok, h))) throw unauthorized('SharedAccessSignature resource (sr) does not match this hub');
  const policy = policies.find((p) => p.keyName === safeDecode(tok.skn!));
  if (!policy) throw unauthorized('Unknown shared access policy');
  if (!signatureMatches(tok, policy.primaryKey) && !signatureMatches(tok, policy.secondaryKey)) throw unauthorized('SharedAccessSignature signature is invalid');
  if (!policy.rights.some((r) => anyOf.includes(r))) throw unauthorized(`Policy ${policy.keyName} lacks the right for this operation (needs ${anyOf.join(' or ')})`);
  return policy;
}
