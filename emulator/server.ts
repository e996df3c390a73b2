import * as fs from 'fs';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Logger, silentLogger } from '../shared/core/logger';
import { authorizeService, Right } from './auth';
import { DeploymentEngine } from './deployments';
import { badRequest, HubError } from './errors';
import { FaultInjector, FaultRule } from './faults';
import { MethodDispatcher, offlineDispatcher } from './methods';
import { QueryPager } from './pager';
import { querySource } from './render';
import { routes, RouteContext } from './routes';
import { HubState } from './state';
import { ensureTls, TlsMaterial } from './tls';
import { attachEndpoint, DeviceEndpoint, deviceRoutes } from './device';

export interface HubEmulatorOptions {
  /** TCP port; 0 (default) lets the OS pick a free one. */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  listenHost?: string;
  /** Host name clients use (connection strings, certificate); default the listen address. */
  hostName?: string;
  /** Folder for hub.json (identities, twins, deployments, keys) and tls/. Default ~/.edgeops/hub. */
  stateDir?: string;
  /** Keep data in memory only; TLS material goes to a temporary folder removed on stop. */
  inMemory?: boolean;
  /** Extra names for the server certificate (e.g. host.docker.internal). */
  certNames?: string[];
  faults?: FaultRule[];
  /** Delay before deployments are re-evaluated after a change (IoT Hub takes minutes). Default 0. */
  deploymentDelayMs?: number;
  /** Device endpoint (MQTT over TLS) port: 0 (default) picks a free one, false runs without it. */
  mqttPort?: number | false;
  log?: Logger;
}

export interface HubInfo {
  /** Owner (iothubowner) connection string; HostName carries host:port. */
  connectionString: string;
  caFile: string;
  host: string;
  port: number;
  /** The device endpoint (MQTT over TLS), once the device side is attached. */
  mqttPort?: number;
}

const MAX_BODY = 16 * 1024 * 1024;

export function defaultStateDir(): string {
  return path.join(os.homedir(), '.edgeops', 'hub');
}

/**
 * A local IoT Hub: the service REST API azure-iothub speaks, over HTTPS with its own CA.
 * `state`, `deployments` and `setMethodDispatcher` are the seams for the device side (MQTT).
 */
export class HubEmulator {
  readonly state: HubState;
  readonly deployments: DeploymentEngine;
  readonly faults = new FaultInjector();
  private readonly pager: QueryPager;
  private dispatcher: MethodDispatcher = offlineDispatcher;
  private server?: https.Server;
  private tls?: TlsMaterial;
  private tempDir?: string;
  private hubInfo?: HubInfo;
  private device?: DeviceEndpoint;
  private readonly log: Logger;

  constructor(private readonly opts: HubEmulatorOptions = {}) {
    this.log = opts.log ?? silentLogger;
    const dir = opts.inMemory ? undefined : (opts.stateDir ?? defaultStateDir());
    if (dir) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.state = new HubState(dir ? path.join(dir, 'hub.json') : undefined);
    const source = querySource(this.state);
    this.pager = new QueryPager(source);
    this.deployments = new DeploymentEngine(this.state, source, opts.deploymentDelayMs ?? 0);
    if (opts.faults) this.faults.set(opts.faults);
  }

  setMethodDispatcher(d: MethodDispatcher): void {
    this.dispatcher = d;
  }

  get info(): HubInfo {
    if (!this.hubInfo) throw new Error('The hub emulator is not started');
    return this.hubInfo;
  }

  /** Lets the device side publish its port in the hub info. */
  setMqttPort(port: number): void {
    if (this.hubInfo) this.hubInfo.mqttPort = port;
  }

  get caPem(): string { return this.tls!.caPem; }
  get serverCert(): { cert: string; key: string } { return { cert: this.tls!.certPem, key: this.tls!.keyPem }; }

  /** `host:port` as clients write it in HostName. */
  get hostName(): string {
    return `${this.info.host}:${this.info.port}`;
  }

  connectionString(policy = 'iothubowner'): string {
    const p = this.state.policies.find((x) => x.keyName === policy);
    if (!p) throw new Error(`No shared access policy '${policy}'`);
    return `HostName=${this.hostName};SharedAccessKeyName=${p.keyName};SharedAccessKey=${p.primaryKey}`;
  }

  deviceConnectionString(deviceId: string, moduleId?: string): string {
    const rec = moduleId ? this.state.getModule(deviceId, moduleId) : this.state.getDevice(deviceId);
    const key = rec.authentication.symmetricKey.primaryKey;
    if (!key) throw new Error(`${deviceId}${moduleId ? '/' + moduleId : ''} does not use SAS keys`);
    return `HostName=${this.hostName};DeviceId=${deviceId}${moduleId ? `;ModuleId=${moduleId}` : ''};SharedAccessKey=${key}`;
  }

  async start(): Promise<HubInfo> {
    const listenHost = this.opts.listenHost ?? '127.0.0.1';
    const host = this.opts.hostName ?? listenHost;
    let tlsDir: string;
    if (this.opts.inMemory) tlsDir = this.tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-hub-'));
    else tlsDir = path.join(this.opts.stateDir ?? defaultStateDir(), 'tls');
    this.tls = ensureTls(tlsDir, [host, ...(this.opts.certNames ?? [])]);
    const server = https.createServer({ key: this.tls.keyPem, cert: this.tls.certPem }, (req, res) => { void this.handle(req, res); });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, listenHost, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    const port = (server.address() as net.AddressInfo).port;
    this.hubInfo = { connectionString: '', caFile: this.tls.caFile, host, port };
    this.hubInfo.connectionString = this.connectionString();
    for (const p of this.state.policies) { this.log.setSecret(p.primaryKey); this.log.setSecret(p.secondaryKey); }
    if (this.opts.mqttPort !== false) {
      // Device side (emulator/device): MQTT endpoint, direct-method dispatcher, /_emulator/telemetry.
      this.device = new DeviceEndpoint(this, { log: this.log, extraHostNames: [`${listenHost}:${port}`] });
      this.setMqttPort(await this.device.start(this.opts.mqttPort ?? 0, listenHost));
      attachEndpoint(this.state, this.device);
    }
    return this.hubInfo;
  }

  async stop(): Promise<void> {
    this.deployments.dispose();
    if (this.device) { attachEndpoint(this.state, undefined); await this.device.stop(); this.device = undefined; }
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    this.state.flush();
    if (this.tempDir) { fs.rmSync(this.tempDir, { recursive: true, force: true }); this.tempDir = undefined; }
  }

  private context(): RouteContext {
    return { state: this.state, deployments: this.deployments, pager: this.pager, faults: this.faults, methods: () => this.dispatcher };
  }

  private async handle(req: import('http').IncomingMessage, res: import('http').ServerResponse): Promise<void> {
    const started = Date.now();
    let status = 500;
    try {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'https://hub');
      const method = (req.method ?? 'GET').toUpperCase();
      const pathname = url.pathname;
      const candidates = [...routes, ...deviceRoutes].filter((r) => r.pattern.test(pathname));
      const route = candidates.find((r) => r.method === method);
      if (!route) {
        if (candidates.length) throw new HubError(405, 'MethodNotAllowed', `${method} is not supported on ${pathname}`);
        throw new HubError(404, 'NotFound', `The emulator does not implement ${method} ${pathname}`, 404000);
      }
      if (!pathname.startsWith('/_emulator/') && !url.searchParams.get('api-version')) throw badRequest('api-version query parameter is required', 'InvalidProtocolVersion');
      const hostNames = [this.hostName, this.info.host];
      const rights: Right[] = route.rights === 'owner' ? ['registryWrite'] : route.rights;
      const policy = authorizeService(req.headers.authorization, hostNames, this.state.policies, rights);
      if (route.rights === 'owner' && !['registryRead', 'registryWrite', 'serviceConnect'].every((r) => policy.rights.includes(r as Right))) {
        throw new HubError(401, 'IotHubUnauthorizedAccess', 'Emulator control needs the owner policy', 401002);
      }
      if (!pathname.startsWith('/_emulator/')) {
        const fault = this.faults.decide(method, pathname);
        if (fault?.fault === 'stall') await new Promise((r) => setTimeout(r, fault.stallMs));
        else if (fault?.fault === 429) throw new HubError(429, 'ThrottlingException', 'Throttled by emulator fault injection', 429001, { 'Retry-After': String(fault.retryAfterSeconds) });
        else if (fault) throw new HubError(fault.fault, fault.fault === 500 ? 'ServerError' : 'ServiceUnavailable', `Injected fault ${fault.fault}`, fault.fault === 500 ? 500001 : 503001);
        if (res.destroyed) return;
      }
      let body: unknown;
      if (raw.length) {
        try { body = JSON.parse(raw.toString('utf8')); } catch (e) { throw badRequest(`The request body is not valid JSON: ${(e as Error).message}`); }
      }
      const params = (pathname.match(route.pattern) ?? []).slice(1).map((s) => decodeURIComponent(s));
      const reply = await route.handle(this.context(), { params, body, headers: req.headers, query: url.searchParams });
      status = reply.status;
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
        'Content-Length': Buffer.byteLength(text),
        ...reply.headers,
      });
      res.end(text);
    } catch (e) {
      const err = e instanceof HubError ? e : new HubError(500, 'ServerError', `Emulator internal error: ${(e as Error).message}`, 500001);
      if (!(e instanceof HubError)) this.log.error(`hub emulator: ${(e as Error).stack ?? String(e)}`);
      status = err.status;
      const text = err.body();
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(err.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'iothub-errorcode': err.code, ...err.headers });
        res.end(text);
      }
    } finally {
      this.log.debug(`hub emulator: ${req.method} ${(req.url ?? '').split('?')[0]} → ${status} (${Date.now() - started} ms)`);
    }
  }
}

function readBody(req: import('http').IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new HubError(413, 'MessageTooLarge', 'Request body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
