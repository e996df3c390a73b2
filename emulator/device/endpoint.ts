import * as net from 'net';
import * as tls from 'tls';
import { Aedes, AuthenticateError, Client, PublishPacket } from 'aedes';
import { Logger, silentLogger } from '../../shared/core/logger';
import { AccessPolicy, expired, parseSas, resourceCovers, signatureMatches } from '../auth';
import { HubError } from '../errors';
import { MethodDispatcher, MethodRequest, MethodResponse, methodTimeout, notOnline } from '../methods';
import type { HubState, TwinChange, IdentityChange } from '../state';
import { Json } from '../twin';
import { inputTargets } from './routing';
import { TelemetryStore, TelemetryStoreOptions } from './telemetry';
import { clientIdOf, encodeProperties, Identity, identityKey, parseDevicePublish, parseUsername, SubscriptionKind, subscriptionKind } from './topics';

/** What the endpoint needs from the hub (HubEmulator provides it). */
export interface DeviceHub {
  readonly state: HubState;
  /** host:port the service side is known by (device SAS tokens are issued for it). */
  readonly hostName: string;
  readonly serverCert: { cert: string; key: string };
  setMethodDispatcher(d: MethodDispatcher): void;
}

export interface DeviceEndpointOptions {
  log?: Logger;
  telemetry?: TelemetryStoreOptions;
  /** Other names tokens may be issued for (e.g. the listen address). */
  extraHostNames?: string[];
}

interface Session {
  id: Identity;
  key: string;
  client: Client;
}

interface PendingMethod {
  resolve(r: MethodResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
  key: string;
}

const NOT_AUTHORIZED = 5;

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: NOT_AUTHORIZED }) as AuthenticateError;
}

/**
 * IoT Hub's device endpoint: MQTT 3.1.1 over TLS with the hub's topic contract, so the unmodified
 * azure-iot-device(-mqtt) clients work. aedes does the MQTT protocol; nothing is brokered between
 * clients — every reply, desired patch, method call and input message is written to exactly the
 * client it is for.
 */
export class DeviceEndpoint implements MethodDispatcher {
  readonly telemetry: TelemetryStore;
  private readonly broker: Aedes;
  private server?: tls.Server;
  private readonly sessions = new Map<string, Session>();
  private readonly byClient = new WeakMap<Client, Session>();
  /** Subscriptions per identity: kept across connections for clean=false sessions, as IoT Hub does. */
  private readonly subscriptions = new Map<string, Set<SubscriptionKind>>();
  private readonly pending = new Map<string, PendingMethod>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private rid = 0;
  private readonly log: Logger;
  private readonly onTwin = (c: TwinChange) => this.pushDesired(c);
  private readonly onIdentity = (c: IdentityChange) => this.identityChanged(c);

  constructor(private readonly hub: DeviceHub, private readonly opts: DeviceEndpointOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.telemetry = new TelemetryStore(opts.telemetry);
    this.broker = new Aedes({
      // IoT Hub client ids are deviceId/moduleId (up to 128 + 1 + 128 characters).
      maxClientsIdLength: 300,
      concurrency: 1000,
      heartbeatInterval: 3_600_000,
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizeSubscribe: (client, sub, done) => {
        const s = this.byClient.get(client);
        const kind = s && subscriptionKind(sub.topic, s.id);
        if (!s || !kind) { done(null, null); return; } // SUBACK failure (0x80), as the hub answers foreign topics
        this.subscribedTo(s.key).add(kind);
        done(null, sub);
        if (kind === 'methods') this.wake(s.key);
      },
      authorizePublish: (client, packet, done) => {
        if (!client) { done(); return; }
        try {
          this.onPublish(client, packet);
          done();
        } catch (e) {
          done(e as Error); // the hub closes the connection of a client that publishes where it may not
        }
      },
    });
    this.broker.on('clientReady', (c) => this.connected(c));
    this.broker.on('clientDisconnect', (c) => this.disconnected(c));
    this.broker.on('unsubscribe', (topics, c) => {
      const s = this.byClient.get(c);
      if (s) for (const t of topics) { const k = subscriptionKind(t, s.id); if (k) this.subscribedTo(s.key).delete(k); }
    });
  }

  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    await this.broker.listen();
    // Nobody is connected before the endpoint runs (a persisted state may say otherwise).
    for (const d of this.hub.state.devices.values()) {
      if (d.connectionState === 'Connected') this.setState({ deviceId: d.deviceId }, false);
      for (const m of Object.values(d.modules)) if (m.connectionState === 'Connected') this.setState({ deviceId: d.deviceId, moduleId: m.moduleId }, false);
    }
    const { cert, key } = this.hub.serverCert;
    const server = tls.createServer({ cert, key }, (socket) => this.broker.handle(socket));
    server.on('tlsClientError', () => { /* a client that fails the handshake just goes away */ });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => { server.off('error', reject); resolve(); });
    });
    this.server = server;
    this.hub.state.on('twin', this.onTwin);
    this.hub.state.on('identity', this.onIdentity);
    this.hub.setMethodDispatcher(this);
    return (server.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.hub.state.off('twin', this.onTwin);
    this.hub.state.off('identity', this.onIdentity);
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(methodTimeout('')); }
    this.pending.clear();
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const s of [...this.sessions.values()]) s.client.close();
    await new Promise<void>((r) => this.broker.close(() => r()));
    await closed;
  }

  /** Identities with a live connection right now. */
  isConnected(deviceId: string, moduleId?: string): boolean {
    return this.sessions.has(identityKey({ deviceId, moduleId }));
  }

  // ---- connect / disconnect ------------------------------------------------------------------

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (e: AuthenticateError | null, ok: boolean | null) => void): void {
    try {
      const id = this.verify(client.id, username, password);
      const key = identityKey(id);
      // Before CONNACK: a clean session forgets earlier subscriptions (doing it on 'clientReady' would
      // race with SUBSCRIBEs the client sends right after CONNACK).
      if (client.clean) this.subscriptions.delete(key);
      this.byClient.set(client, { id, key, client });
      done(null, true);
    } catch (e) {
      this.log.debug(`device endpoint: refused ${client.id}: ${(e as Error).message}`);
      done(authError((e as Error).message), false);
    }
  }

  private verify(clientId: string, username: string | undefined, password: Buffer | undefined): Identity {
    const u = parseUsername(username);
    if (!u) throw new Error('user name is not {hub}/{deviceId}[/{moduleId}]/?api-version=…');
    const id: Identity = { deviceId: u.deviceId, moduleId: u.moduleId };
    if (clientIdOf(id) !== clientId) throw new Error(`client id ${clientId} does not match the user name's identity ${clientIdOf(id)}`);
    const tok = parseSas(password?.toString('utf8'));
    if (!tok) throw new Error('password is not a SharedAccessSignature (X.509 is not supported)');
    if (expired(tok)) throw new Error('SharedAccessSignature has expired');
    const dev = this.hub.state.devices.get(id.deviceId);
    if (!dev) throw new Error(`device ${id.deviceId} is not registered`);
    if (dev.status !== 'enabled') throw new Error(`device ${id.deviceId} is disabled`);
    const rec = id.moduleId === undefined ? dev : dev.modules[id.moduleId];
    if (!rec) throw new Error(`module ${id.moduleId} is not registered on ${id.deviceId}`);
    const resource = `/devices/${id.deviceId}${id.moduleId === undefined ? '' : `/modules/${id.moduleId}`}`;
    const hosts = [this.hub.hostName, ...(this.opts.extraHostNames ?? [])];
    if (!hosts.some((h) => resourceCovers(tok, h + resource))) throw new Error('SharedAccessSignature resource (sr) does not cover this identity');
    if (tok.skn) {
      const policy = this.hub.state.policies.find((p: AccessPolicy) => p.keyName === tok.skn);
      if (!policy || !policy.rights.includes('deviceConnect')) throw new Error('policy lacks DeviceConnect');
      if (!signatureMatches(tok, policy.primaryKey) && !signatureMatches(tok, policy.secondaryKey)) throw new Error('signature is invalid');
      return id;
    }
    const keys = [rec.authentication.symmetricKey.primaryKey, rec.authentication.symmetricKey.secondaryKey].filter((k): k is string => !!k);
    if (!keys.some((k) => signatureMatches(tok, k))) throw new Error('signature is invalid');
    return id;
  }

  private connected(client: Client): void {
    const s = this.byClient.get(client);
    if (!s) return;
    this.sessions.set(s.key, s);
    this.setState(s.id, true);
    this.wake(s.key);
  }

  private disconnected(client: Client): void {
    const s = this.byClient.get(client);
    if (!s || this.sessions.get(s.key) !== s) return; // replaced by a newer connection of the same identity
    this.sessions.delete(s.key);
    this.setState(s.id, false);
    for (const [rid, p] of this.pending) {
      if (p.key !== s.key) continue;
      this.pending.delete(rid);
      clearTimeout(p.timer);
      p.reject(notOnline(s.id.deviceId, s.id.moduleId));
    }
  }

  private setState(id: Identity, connected: boolean): void {
    try {
      this.hub.state.setConnectionState(id.deviceId, id.moduleId, connected);
    } catch { /* identity deleted meanwhile */ }
  }

  private identityChanged(c: IdentityChange): void {
    const dev = this.hub.state.devices.get(c.deviceId);
    const gone = c.kind === 'deleted' || (c.moduleId === undefined && dev?.status === 'disabled');
    if (!gone) return;
    for (const s of [...this.sessions.values()]) {
      if (s.id.deviceId !== c.deviceId || (c.moduleId !== undefined && s.id.moduleId !== c.moduleId)) continue;
      s.client.close();
    }
    if (c.kind === 'deleted') this.telemetry.forget(c.deviceId, c.moduleId);
  }

  private subscribedTo(key: string): Set<SubscriptionKind> {
    let set = this.subscriptions.get(key);
    if (!set) { set = new Set(); this.subscriptions.set(key, set); }
    return set;
  }

  private wake(key: string): void {
    const w = this.waiters.get(key);
    if (!w) return;
    this.waiters.delete(key);
    for (const f of w) f();
  }

  // ---- publishes from devices ----------------------------------------------------------------

  private send(client: Client, topic: string, payload: string | Buffer, qos: 0 | 1 = 0): void {
    const packet = { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos, retain: false, dup: false } as PublishPacket;
    client.publish(packet, () => { /* delivery errors close the client; nothing to do */ });
  }

  private onPublish(client: Client, packet: PublishPacket): void {
    const s = this.byClient.get(client);
    if (!s) throw new Error('not authenticated');
    const { deviceId, moduleId } = s.id;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const p = parseDevicePublish(packet.topic);
    const state = this.hub.state;
    switch (p.kind) {
      case 'twinGet': {
        const tw = state.twinOf(deviceId, moduleId);
        state.touch(deviceId, moduleId);
        this.send(client, `$iothub/twin/res/200/?$rid=${p.rid}`, JSON.stringify({ desired: tw.properties.desired, reported: tw.properties.reported }));
        return;
      }
      case 'twinReported': {
        let patch: unknown;
        try { patch = JSON.parse(payload.toString('utf8') || 'null'); } catch { patch = undefined; }
        if (!patch || typeof patch !== 'object' || Array.isArray(patch)) {
          this.send(client, `$iothub/twin/res/400/?$rid=${p.rid}`, '');
          return;
        }
        try {
          const version = state.updateReported(deviceId, moduleId, patch as Json);
          state.touch(deviceId, moduleId);
          this.send(client, `$iothub/twin/res/204/?$rid=${p.rid}&$version=${version}`, '');
        } catch (e) {
          const status = e instanceof HubError ? e.status : 500;
          this.send(client, `$iothub/twin/res/${status}/?$rid=${p.rid}`, '');
        }
        return;
      }
      case 'methodResponse': {
        const pend = this.pending.get(p.rid);
        if (!pend || pend.key !== s.key) return; // late (timed out) or not this client's request
        this.pending.delete(p.rid);
        clearTimeout(pend.timer);
        const text = payload.toString('utf8');
        let body: unknown = null;
        if (text) { try { body = JSON.parse(text); } catch { body = text; } }
        pend.resolve({ status: p.status, payload: body });
        return;
      }
      case 'telemetry': {
        if (p.deviceId !== deviceId || p.moduleId !== moduleId) throw new Error(`${s.key} may not send as ${clientIdOf(p)}`);
        state.touch(deviceId, moduleId);
        this.telemetry.add(deviceId, moduleId, payload, p.properties);
        if (moduleId !== undefined) this.route(deviceId, moduleId, payload, p.properties);
        return;
      }
      default:
        throw new Error(`${s.key} may not publish on ${packet.topic}`);
    }
  }

  /** Module output → other modules' inputs, per the device's $edgeHub routes. */
  private route(deviceId: string, moduleId: string, payload: Buffer, props: Record<string, string>): void {
    const output = props['$.on'];
    if (output === undefined) return;
    const edgeHub = this.hub.state.devices.get(deviceId)?.modules.$edgeHub?.twin.properties.desired as Record<string, unknown> | undefined;
    const targets = inputTargets(edgeHub, moduleId, output);
    if (targets.length === 0) return;
    const { '$.on': _on, ...rest } = props;
    void _on;
    for (const t of targets) {
      const key = identityKey({ deviceId, moduleId: t.moduleId });
      const target = this.sessions.get(key);
      if (!target || !this.subscriptions.get(key)?.has('inputs')) continue;
      const forwarded = encodeProperties({ ...rest, '$.cdid': deviceId, '$.cmid': moduleId });
      this.send(target.client, `devices/${deviceId}/modules/${t.moduleId}/inputs/${t.inputName}/${forwarded}`, payload, 1);
    }
  }

  // ---- desired pushes ------------------------------------------------------------------------

  private pushDesired(c: TwinChange): void {
    if (!c.desired) return;
    const key = identityKey(c);
    const s = this.sessions.get(key);
    if (!s || !this.subscriptions.get(key)?.has('desired')) return;
    this.send(s.client, `$iothub/twin/PATCH/properties/desired/?$version=${c.desired.version}`, JSON.stringify({ ...c.desired.patch(), $version: c.desired.version }));
  }

  // ---- direct methods (MethodDispatcher) -----------------------------------------------------

  async invoke(deviceId: string, moduleId: string | undefined, req: MethodRequest): Promise<MethodResponse> {
    const key = identityKey({ deviceId, moduleId });
    const ready = () => this.sessions.has(key) && !!this.subscriptions.get(key)?.has('methods');
    if (!ready() && req.connectTimeoutInSeconds > 0) await this.waitReady(key, ready, req.connectTimeoutInSeconds * 1000);
    const s = this.sessions.get(key);
    if (!s || !ready()) throw notOnline(deviceId, moduleId);
    const rid = (++this.rid).toString(16);
    return new Promise<MethodResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(methodTimeout(deviceId, moduleId));
      }, Math.max(1, req.responseTimeoutInSeconds) * 1000);
      this.pending.set(rid, { resolve, reject, timer, key });
      this.send(s.client, `$iothub/methods/POST/${encodeURIComponent(req.methodName)}/?$rid=${rid}`, JSON.stringify(req.payload ?? null));
    });
  }

  private waitReady(key: string, ready: () => boolean, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const timer = setTimeout(() => { done = true; resolve(); }, ms);
      const check = () => {
        if (done) return;
        if (ready()) { done = true; clearTimeout(timer); resolve(); return; }
        const list = this.waiters.get(key) ?? [];
        list.push(check);
        this.waiters.set(key, list);
      };
      check();
    });
  }
}
