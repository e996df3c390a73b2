import { EventEmitter } from 'events';
import * as fs from 'fs';
import { Client, ConnectionString, Registry, SharedAccessSignature } from 'azure-iothub';
import * as results from 'azure-iothub/dist/common-core/results';
// azure-iothub's own HTTP layer and REST client (the ones Registry.fromConnectionString uses).
// Not re-exported by the package index; the exact version is pinned in package.json and
// test/integration/emulator/hub-clients.test.ts covers this seam.
import { Http } from 'azure-iothub/dist/common-http/http';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { readHubInfo } from './hub-info';

/** Entra ID credential (e.g. from @azure/identity), as azure-iothub takes it. */
export type TokenCredential = Parameters<typeof Registry.fromTokenCredential>[1];

export interface HubClientOptions {
  /** Service connection string (HostName=…;SharedAccessKeyName=…;SharedAccessKey=…). */
  connectionString?: string;
  /** Real hub host name, with `credential` (Entra ID). */
  hostName?: string;
  credential?: TokenCredential;
  /** CA certificate (PEM file) to trust for an emulator; default from `hubInfoFile`. */
  caFile?: string;
  /** `edgeops hub start --info` output: connection string + CA file. */
  hubInfoFile?: string;
  /** Secrets (keys) are registered here before anything could print them. */
  log?: Logger;
}

export interface HubClients {
  registry: Registry;
  /** Service client: direct methods over HTTPS. (C2D/feedback use AMQP, which the emulator lacks.) */
  client: Client;
  /** Host name as in the connection string (host:port for the emulator). */
  hostName: string;
  emulator: boolean;
}

const USER_AGENT = 'edgeops/azure-iothub-1.16.6';

/** A host name with an explicit port means a local emulator (a real hub is always <name>.azure-devices.net:443). */
export function isEmulatorHost(hostName: string): boolean {
  return /:\d+$/.test(hostName);
}

function splitHost(hostName: string): { host: string; port: number } {
  const i = hostName.lastIndexOf(':');
  return { host: hostName.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port: Number(hostName.slice(i + 1)) };
}

/**
 * azure-iothub's Http with two additions the emulator needs: the port from `host:port` (the SDK
 * would send it as part of the host name) and trust in the emulator's CA. The Registry/Client
 * constructors replace the options with a keep-alive agent, so the CA is re-applied every time.
 */
export class EmulatorHttp extends Http {
  constructor(private readonly ca: string) {
    super();
    this.setOptions({});
  }

  override setOptions(options: Record<string, unknown>): void {
    super.setOptions({ ...(options ?? {}), ca: this.ca });
  }

  override buildRequest(
    method: Parameters<Http['buildRequest']>[0],
    path: string,
    headers: Parameters<Http['buildRequest']>[2],
    host: Parameters<Http['buildRequest']>[3],
    options: Parameters<Http['buildRequest']>[4],
    done?: Parameters<Http['buildRequest']>[5],
  ): ReturnType<Http['buildRequest']> {
    if (typeof host !== 'string' || !isEmulatorHost(host)) return super.buildRequest(method, path, headers, host, options, done);
    const { host: h, port } = splitHost(host);
    if (typeof options === 'function') { done = options; options = {}; }
    const reqOptions = this.isHttpRequestOptions(options) ? { ...(options as object), port } : { port };
    return super.buildRequest(method, path, headers, h, reqOptions, done);
  }
}

/** Stand-in AMQP transport for the emulator: the service client's REST calls (direct methods) work; AMQP features say why they don't. */
class NoAmqpTransport extends EventEmitter implements Client.Transport {
  private fail(what: string, done?: (err?: Error) => void): void {
    const err = new Error(`${what} needs AMQP, which the local IoT Hub emulator does not provide`);
    if (done) process.nextTick(() => done(err));
  }
  connect(done?: (err?: Error) => void): void { this.fail('Client.open', done); }
  disconnect(done: Parameters<Client.Transport['disconnect']>[0]): void { process.nextTick(() => done(undefined, new results.Disconnected())); }
  send(_d: string, _m: unknown, done?: (err?: Error) => void): void { this.fail('Cloud-to-device messages', done); }
  getFeedbackReceiver(done: (err?: Error) => void): void { this.fail('Feedback', done); }
  getFileNotificationReceiver(done: (err?: Error) => void): void { this.fail('File notifications', done); }
}

function readCa(caFile: string): string {
  try {
    return fs.readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new InputError(`Cannot read the emulator CA certificate ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: caFile });
  }
}

function parseServiceConnectionString(cs: string): { HostName: string; SharedAccessKeyName: string; SharedAccessKey: string } {
  try {
    return ConnectionString.parse(cs) as unknown as { HostName: string; SharedAccessKeyName: string; SharedAccessKey: string };
  } catch (e) {
    throw new InputError(`The IoT Hub connection string is invalid: ${(e as Error).message.replace(/SharedAccessKey=[^;]*/g, 'SharedAccessKey=***')}`, { field: 'connectionString' },
      'Expected HostName=<hub>;SharedAccessKeyName=<policy>;SharedAccessKey=<key> (a service policy, not a device connection string).');
  }
}

/**
 * The one way tasks and the CLI reach IoT Hub. A real hub uses the stock SDK
 * (`Registry.fromConnectionString`, `fromTokenCredential`); the emulator goes through the SDK's
 * public constructors with an HTTP layer that adds the port and trusts the emulator CA.
 */
export function createHubClients(input: string | HubClientOptions): HubClients {
  const opts: HubClientOptions = typeof input === 'string' ? { connectionString: input } : { ...input };
  if (opts.hubInfoFile) {
    const info = readHubInfo(opts.hubInfoFile);
    opts.connectionString ??= info.connectionString;
    opts.caFile ??= info.caFile;
  }
  if (opts.credential) {
    if (!opts.hostName) throw new InputError('An Entra ID credential needs the IoT hub host name (<name>.azure-devices.net)', { field: 'hostName' });
    if (isEmulatorHost(opts.hostName)) throw new InputError('The local IoT Hub emulator accepts connection strings only, not Entra ID credentials', { field: 'hostName' });
    return {
      registry: Registry.fromTokenCredential(opts.hostName, opts.credential),
      client: Client.fromTokenCredential(opts.hostName, opts.credential),
      hostName: opts.hostName,
      emulator: false,
    };
  }
  const cs = opts.connectionString?.trim();
  if (!cs) throw new InputError('An IoT Hub connection string (or a hub-info file) is required', { field: 'connectionString' });
  const parsed = parseServiceConnectionString(cs);
  opts.log?.setSecret(parsed.SharedAccessKey);
  opts.log?.setSecret(cs);
  if (!isEmulatorHost(parsed.HostName)) {
    return { registry: Registry.fromConnectionString(cs), client: Client.fromConnectionString(cs), hostName: parsed.HostName, emulator: false };
  }
  if (!opts.caFile) {
    throw new InputError(`${parsed.HostName} is a local emulator address, which needs its CA certificate`, { field: 'caFile' },
      'Pass the hub-info file written by `edgeops hub start --info <file>` (or the CA file it prints).');
  }
  const ca = readCa(opts.caFile);
  const sas = () => SharedAccessSignature.create(parsed.HostName, parsed.SharedAccessKeyName, parsed.SharedAccessKey, Date.now());
  // Each client gets its own REST client: the constructors set their own agent options on it.
  const rest = () => new RestApiClient({ host: parsed.HostName, sharedAccessSignature: sas() } as RestApiClient.TransportConfig, USER_AGENT, new EmulatorHttp(ca));
  return {
    registry: new Registry({ host: parsed.HostName, sharedAccessSignature: sas() } as unknown as Registry.TransportConfig, rest()),
    client: new Client(new NoAmqpTransport(), rest()),
    hostName: parsed.HostName,
    emulator: true,
  };
}
