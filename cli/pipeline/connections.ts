import { createHash } from 'crypto';
import * as path from 'path';
import { InputError, SourceLocation } from '../../shared/core/errors';
import { readJsonFile } from '../../shared/core/json';
import { isMap, readYamlFile, where, YamlValue } from './source';

/**
 * Service connections for local runs, from a JSON or YAML file:
 *
 *   myRegistry: { type: dockerregistry, parameters: { registry: http://localhost:5000, username: u, password: '${env:REG_PW}' } }
 *   myHub:      { type: iothub, connectionString: '${env:HUB_CS}' }
 *   azure:      { type: azurerm, scheme: ServicePrincipal, parameters: { tenantid, serviceprincipalid, serviceprincipalkey }, data: { subscriptionId } }
 *
 * Values may be `${env:NAME}` so secrets stay out of the file. Each connection becomes the
 * ENDPOINT_* environment the agent gives a task, keyed by a stable id derived from the name.
 */

export interface Connection {
  name: string;
  id: string;
  type: string;
  url: string;
  scheme: string;
  parameters: Record<string, string>;
  data: Record<string, string>;
  loc: SourceLocation;
}

const SECRET_KEY = /password|key|secret|token|connectionstring|certificate/i;

export function connectionId(name: string): string {
  const h = createHash('sha1').update(`edgeops-connection:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class Connections {
  constructor(readonly file: string | undefined, private readonly byName: Map<string, Connection>) {}

  static empty(): Connections { return new Connections(undefined, new Map()); }

  names(): string[] { return [...this.byName.values()].map((c) => c.name); }

  /** A connection by name (or by its id, as the agent would pass it); clear error when missing or unusable. */
  resolve(nameOrId: string, expectedType: string | undefined, usedAt: SourceLocation): Connection {
    const key = nameOrId.toLowerCase();
    const c = this.byName.get(key) ?? [...this.byName.values()].find((x) => x.id === key);
    if (!c) {
      throw new InputError(
        `Service connection '${nameOrId}' is not defined${this.file ? ` in ${this.file}` : ' (no --connections file given)'}`,
        usedAt,
        `Add it to a connections file (see docs/local-runner.md) and pass --connections FILE.${this.byName.size ? ` Defined: ${this.names().join(', ')}` : ''}`,
      );
    }
    if (expectedType && !expectedType.split(',').some((t) => t.trim().toLowerCase() === c.type.toLowerCase())) {
      throw new InputError(`Service connection '${c.name}' is of type ${c.type}, the input expects ${expectedType}`, usedAt);
    }
    if (c.type.toLowerCase() === 'azurerm') {
      const missing = ['tenantid', 'serviceprincipalid', 'serviceprincipalkey'].filter((k) => !c.parameters[k]);
      if (!c.data.subscriptionid) missing.push('data.subscriptionId');
      if (missing.length) {
        throw new InputError(
          `Azure Resource Manager connection '${c.name}' cannot be created locally: the connections file must supply ${missing.join(', ')}`,
          c.loc,
          'Give a service principal (scheme: ServicePrincipal) — or use a connection-string input for the IoT hub and a dockerregistry connection for the registry.',
        );
      }
    }
    return c;
  }
}

/** The ENDPOINT_* variables task-lib reads (getEndpointUrl/Authorization/AuthorizationParameter/DataParameter). */
export function endpointEnv(c: Connection): Record<string, string> {
  const env: Record<string, string> = {};
  env[`ENDPOINT_URL_${c.id}`] = c.url;
  env[`ENDPOINT_AUTH_${c.id}`] = JSON.stringify({ parameters: c.parameters, scheme: c.scheme });
  env[`ENDPOINT_AUTH_SCHEME_${c.id}`] = c.scheme;
  for (const [k, v] of Object.entries(c.parameters)) env[`ENDPOINT_AUTH_PARAMETER_${c.id}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(c.data)) env[`ENDPOINT_DATA_${c.id}_${k.toUpperCase()}`] = v;
  return env;
}

export function connectionSecrets(c: Connection): string[] {
  return Object.entries(c.parameters).filter(([k]) => SECRET_KEY.test(k)).map(([, v]) => v);
}

export function loadConnections(file: string, env: NodeJS.ProcessEnv = process.env): Connections {
  let root: unknown;
  let locate: (segs: string[]) => SourceLocation;
  if (path.extname(file).toLowerCase() === '.json') {
    const doc = readJsonFile(file);
    root = doc.value;
    locate = (segs) => doc.locate('/' + segs.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));
  } else {
    root = readYamlFile(file);
    locate = (segs) => {
      let parent: unknown = root;
      for (let i = 0; i < segs.length - 1; i++) parent = isMap(parent as YamlValue) ? (parent as Record<string, unknown>)[segs[i]] : undefined;
      return { file, ...where(parent, segs[segs.length - 1], segs.join('.')) };
    };
  }
  if (root === null || root === undefined) return new Connections(file, new Map());
  if (typeof root !== 'object' || Array.isArray(root)) throw new InputError('A connections file must be a mapping of name → connection', { file, line: 1, column: 1 });
  let entries = root as Record<string, unknown>;
  let prefix: string[] = [];
  if (Object.keys(entries).length === 1 && isPlainObject(entries.connections)) { entries = entries.connections as Record<string, unknown>; prefix = ['connections']; }
  const out = new Map<string, Connection>();
  for (const [name, raw] of Object.entries(entries)) {
    const at = (...k: string[]) => locate([...prefix, name, ...k]);
    if (!isPlainObject(raw)) throw new InputError(`Connection '${name}' must be a mapping with type:`, at());
    const r = raw as Record<string, unknown>;
    const str = (v: unknown, k: string[]): string => {
      if (v === undefined || v === null) return '';
      if (typeof v === 'object') throw new InputError(`'${k.join('.')}' must be a single value`, at(...k));
      return expandEnv(String(v), env, at(...k));
    };
    const strMap = (v: unknown, k: string): Record<string, string> => {
      if (v === undefined || v === null) return {};
      if (!isPlainObject(v)) throw new InputError(`'${k}' must be a mapping`, at(k));
      const m: Record<string, string> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) m[pk.toLowerCase()] = str(pv, [k, pk]);
      return m;
    };
    for (const k of Object.keys(r)) {
      if (!['type', 'url', 'scheme', 'parameters', 'data', 'connectionString'].includes(k)) {
        throw new InputError(`Unexpected key '${k}' in connection '${name}' (allowed: type, url, scheme, parameters, data, connectionString)`, at(k));
      }
    }
    const type = str(r.type, ['type']);
    if (!type) throw new InputError(`Connection '${name}' needs a type (dockerregistry, iothub, azurerm or generic)`, at());
    const parameters = strMap(r.parameters, 'parameters');
    const data = strMap(r.data, 'data');
    let url = str(r.url, ['url']);
    let scheme = str(r.scheme, ['scheme']);
    switch (type.toLowerCase()) {
      case 'dockerregistry':
        if (!parameters.registry) throw new InputError(`Connection '${name}': parameters.registry is required (e.g. http://localhost:5000)`, at('parameters'));
        url ||= parameters.registry;
        scheme ||= 'UsernamePassword';
        data.registrytype ??= 'Others';
        break;
      case 'iothub': {
        const cs = str(r.connectionString, ['connectionString']) || parameters.connectionstring;
        const host = /(?:^|;)HostName=([^;]+)/i.exec(cs ?? '')?.[1];
        if (!cs || !host) throw new InputError(`Connection '${name}': connectionString with HostName=… is required`, at(r.connectionString !== undefined ? 'connectionString' : 'type'));
        parameters.connectionstring = cs;
        url ||= `https://${host}/`;
        scheme ||= 'None';
        data.hostname ??= host;
        data.iothubname ??= host.split('.')[0];
        break;
      }
      case 'azurerm':
        url ||= 'https://management.azure.com/';
        scheme ||= 'ServicePrincipal';
        data.environment ??= 'AzureCloud';
        break;
      default:
        scheme ||= 'UsernamePassword';
    }
    out.set(name.toLowerCase(), { name, id: connectionId(name), type, url, scheme, parameters, data, loc: at() });
  }
  return new Connections(file, out);
}

function isPlainObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function expandEnv(s: string, env: NodeJS.ProcessEnv, loc: SourceLocation): string {
  return s.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, n: string) => {
    const v = env[n];
    if (v === undefined) throw new InputError(`Environment variable ${n} is not set (referenced as \${env:${n}})`, loc);
    return v;
  });
}
