import * as crypto from 'crypto';
import * as tls from 'tls';
import { EmulatorEndpoint } from '../../shared/hub/device-connection';
import { Json } from './agent-model';
import { AgentLink, DeviceLink, LinkFactory, MethodResult } from './links';

/**
 * A deliberately small MQTT 3.1.1 client speaking IoT Hub's topic contract (the same one the SDK
 * uses) for simulating thousands of devices in one process, where one SDK client per identity
 * costs too much memory. QoS 0/1 publish, subscribe, no keep-alive pings, no reconnect.
 */
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function packet(type: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  do { let d = n % 128; n = Math.floor(n / 128); if (n > 0) d |= 128; len.push(d); } while (n > 0);
  return Buffer.concat([Buffer.from([type, ...len]), body]);
}

function sas(resource: string, key: string): string {
  const sr = encodeURIComponent(resource);
  const se = Math.floor(Date.now() / 1000) + 24 * 3600;
  const sig = crypto.createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}`;
}

const sessions = new Map<string, Buffer>();

class LiteClient {
  private socket?: tls.TLSSocket;
  private buf: Buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly acks = new Map<number, () => void>();
  onMessage?: (topic: string, payload: Buffer) => void;
  onClose?: () => void;

  constructor(private readonly hub: EmulatorEndpoint, private readonly ca: string, private readonly deviceId: string, private readonly key: string, private readonly moduleId?: string) {}

  connect(): Promise<void> {
    const hostKey = `${this.hub.host}:${this.hub.mqttPort}`;
    return new Promise<void>((resolve, reject) => {
      // TLS session resumption: thousands of connections skip the full RSA handshake.
      const s = tls.connect({ host: this.hub.host, port: this.hub.mqttPort!, ca: this.ca, servername: /^[\d.]+$/.test(this.hub.host) ? undefined : this.hub.host, session: sessions.get(hostKey) });
      this.socket = s;
      s.on('session', (sess) => sessions.set(hostKey, sess));
      s.once('error', reject);
      s.on('close', () => this.onClose?.());
      s.on('data', (d: Buffer) => this.data(d, resolve, reject));
      s.once('secureConnect', () => {
        const id = this.moduleId ? `${this.deviceId}/${this.moduleId}` : this.deviceId;
        const hubHost = `${this.hub.host}:${this.hub.port}`;
        const resource = `${hubHost}/devices/${this.deviceId}${this.moduleId ? `/modules/${this.moduleId}` : ''}`;
        const head = Buffer.concat([str('MQTT'), Buffer.from([4, 0x80 | 0x40 | 0x02, 0, 0])]);
        s.write(packet(0x10, Buffer.concat([head, str(id), str(`${hubHost}/${id}/?api-version=2021-04-12`), str(sas(resource, this.key))])));
      });
    });
  }

  private data(d: Buffer, resolve: () => void, reject: (e: Error) => void): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      if (this.buf.length < 2) return;
      let mul = 1, len = 0, i = 1, byte: number;
      do { if (i >= this.buf.length) return; byte = this.buf[i++]; len += (byte & 127) * mul; mul *= 128; } while (byte & 128);
      if (this.buf.length < i + len) return;
      const type = this.buf[0];
      const body = this.buf.subarray(i, i + len);
      this.buf = this.buf.subarray(i + len);
      switch (type >> 4) {
        case 2: if (body[1] === 0) resolve(); else { reject(new Error(`CONNACK ${body[1]}`)); this.socket?.destroy(); } break;
        case 3: {
          const tl = body.readUInt16BE(0);
          const topic = body.subarray(2, 2 + tl).toString('utf8');
          const qos = (type >> 1) & 3;
          let off = 2 + tl;
          if (qos > 0) { const pid = body.readUInt16BE(off); off += 2; this.socket?.write(packet(0x40, Buffer.from([pid >> 8, pid & 255]))); }
          this.onMessage?.(topic, Buffer.from(body.subarray(off)));
          break;
        }
        case 4: case 9: { const pid = body.readUInt16BE(0); this.acks.get(pid)?.(); this.acks.delete(pid); break; }
        default: break;
      }
    }
  }

  private id(): number { this.nextId = (this.nextId % 65535) + 1; return this.nextId; }

  subscribe(topics: string[]): Promise<void> {
    const pid = this.id();
    return new Promise<void>((resolve) => {
      this.acks.set(pid, resolve);
      this.socket!.write(packet(0x82, Buffer.concat([Buffer.from([pid >> 8, pid & 255]), ...topics.map((t) => Buffer.concat([str(t), Buffer.from([0])]))])));
    });
  }

  publish(topic: string, payload: string): void {
    this.socket?.write(packet(0x30, Buffer.concat([str(topic), Buffer.from(payload, 'utf8')])));
  }

  close(): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => { s.once('close', () => resolve()); s.end(packet(0xe0, Buffer.alloc(0))); setTimeout(() => s.destroy(), 1000).unref(); });
  }
}

function merge(target: Json, patch: Json): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (typeof v === 'object' && !Array.isArray(v) && typeof target[k] === 'object' && target[k] !== null) merge(target[k] as Json, v as Json);
    else target[k] = v;
  }
}

/** LinkFactory on the lite client (same topics and auth as the SDK). */
export function liteLinks(hub: EmulatorEndpoint, ca: string): LinkFactory {
  return {
    agent(deviceId, key): AgentLink {
      let c: LiteClient | undefined;
      let desired: Json = {};
      let desiredCb: ((d: Json) => void) | undefined;
      let disconnectCb: (() => void) | undefined;
      const methods = new Map<string, (p: unknown) => MethodResult>();
      const waiting = new Map<string, (status: number, body: Buffer) => void>();
      let rid = 0;
      const request = (topic: string, body: string) => new Promise<{ status: number; body: Buffer }>((resolve) => {
        const r = String(++rid);
        waiting.set(r, (status, b) => resolve({ status, body: b }));
        c!.publish(`${topic}?$rid=${r}`, body);
      });
      return {
        async open() {
          c = new LiteClient(hub, ca, deviceId, key, '$edgeAgent');
          c.onClose = () => disconnectCb?.();
          c.onMessage = (topic, payload) => {
            if (topic.startsWith('$iothub/twin/res/')) {
              const m = /^\$iothub\/twin\/res\/(\d+)\/\?\$rid=([^&]+)/.exec(topic);
              if (m) { waiting.get(m[2])?.(Number(m[1]), payload); waiting.delete(m[2]); }
            } else if (topic.startsWith('$iothub/twin/PATCH/properties/desired/')) {
              merge(desired, JSON.parse(payload.toString('utf8')) as Json);
              desiredCb?.(desired);
            } else if (topic.startsWith('$iothub/methods/POST/')) {
              const m = /^\$iothub\/methods\/POST\/([^/]+)\/\?\$rid=([^&]+)/.exec(topic);
              if (!m) return;
              const h = methods.get(decodeURIComponent(m[1]));
              const r = h ? h(payload.length ? JSON.parse(payload.toString('utf8')) : null) : { status: 404, payload: null };
              c!.publish(`$iothub/methods/res/${r.status}/?$rid=${m[2]}`, JSON.stringify(r.payload ?? null));
            }
          };
          await c.connect();
          await c.subscribe(['$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#', '$iothub/methods/POST/#']);
        },
        async getDesired() {
          const r = await request('$iothub/twin/GET/', '');
          desired = (JSON.parse(r.body.toString('utf8')) as { desired: Json }).desired;
          return desired;
        },
        onDesired(cb) { desiredCb = cb; },
        async report(patch) {
          const r = await request('$iothub/twin/PATCH/properties/reported/', JSON.stringify(patch));
          if (r.status !== 204) throw new Error(`reported patch refused (${r.status})`);
        },
        onMethod(name, h) { methods.set(name, h); },
        onDisconnect(cb) { disconnectCb = cb; },
        async close() { const x = c; c = undefined; if (x) { x.onClose = undefined; await x.close(); } },
      };
    },
    device(deviceId, key): DeviceLink {
      let c: LiteClient | undefined;
      return {
        async open() { c = new LiteClient(hub, ca, deviceId, key); await c.connect(); },
        async close() { const x = c; c = undefined; await x?.close(); },
      };
    },
  };
}
