import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { withRetry } from '../core/retry';
import { readHubInfo } from './hub-info';

/**
 * Reads what devices and modules sent to the local IoT Hub emulator (its `/_emulator/telemetry`
 * API, owner policy). A real hub delivers telemetry to Event Hubs instead, so this is emulator-only.
 */
export interface TelemetryMessage {
  deviceId: string;
  moduleId?: string;
  enqueuedTimeUtc: string;
  /** Body as UTF-8 text (base64 when it is not valid UTF-8), cut to the emulator's body limit. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  truncated?: boolean;
  /** Application and system properties from the topic ($.mid, $.cid, $.ct, $.ce, $.on …). */
  properties: Record<string, string>;
  /** Output name for module messages sent with sendOutputEvent ($.on). */
  outputName?: string;
}

export interface TelemetrySummary {
  deviceId: string;
  moduleId?: string;
  /** Messages received since the emulator started (not only the kept ones). */
  total: number;
  /** Kept messages at or after `since` (all kept ones when no `since`). */
  countSince: number;
  firstEnqueuedTimeUtc: string;
  lastEnqueuedTimeUtc: string;
}

export interface TelemetryFilter {
  deviceId?: string;
  moduleId?: string;
  since?: Date | string;
  limit?: number;
}

export interface TelemetryReaderOptions {
  hubInfoFile?: string;
  connectionString?: string;
  caFile?: string;
  log?: Logger;
}

interface Target { host: string; port: number; keyName: string; key: string; hostName: string; ca: string }

function target(opts: TelemetryReaderOptions): Target {
  let cs = opts.connectionString;
  let caFile = opts.caFile;
  if (opts.hubInfoFile) {
    const info = readHubInfo(opts.hubInfoFile);
    cs ??= info.connectionString;
    caFile ??= info.caFile;
  }
  if (!cs) throw new InputError('Telemetry queries need the emulator hub-info file or its owner connection string', { field: 'connectionString' });
  const fields = Object.fromEntries(cs.split(';').filter(Boolean).map((p) => { const i = p.indexOf('='); return [p.slice(0, i), p.slice(i + 1)]; }));
  const hostName = fields.HostName ?? '';
  const m = /^(.*):(\d+)$/.exec(hostName);
  if (!m) throw new InputError(`${hostName || 'The hub'} is not the local emulator: telemetry from a real IoT hub is read from its Event Hubs endpoint`, { field: 'connectionString' });
  if (!fields.SharedAccessKeyName || !fields.SharedAccessKey) throw new InputError('The connection string needs SharedAccessKeyName and SharedAccessKey (the owner policy)', { field: 'connectionString' });
  if (!caFile) throw new InputError('The emulator CA file is required', { field: 'caFile' });
  opts.log?.setSecret(fields.SharedAccessKey);
  let ca: string;
  try { ca = fs.readFileSync(caFile, 'utf8'); } catch (e) { throw new InputError(`Cannot read the emulator CA certificate ${caFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: caFile }); }
  return { host: m[1], port: Number(m[2]), keyName: fields.SharedAccessKeyName, key: fields.SharedAccessKey, hostName, ca };
}

function sas(t: Target): string {
  const sr = encodeURIComponent(t.hostName);
  const se = Math.floor(Date.now() / 1000) + 3600;
  const sig = crypto.createHmac('sha256', Buffer.from(t.key, 'base64')).update(`${sr}\n${se}`).digest('base64');
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${se}&skn=${encodeURIComponent(t.keyName)}`;
}

class HttpError extends Error {
  constructor(readonly statusCode: number, message: string, readonly headers: Record<string, string | string[] | undefined>) { super(message); }
}

export class TelemetryReader {
  private readonly t: Target;

  constructor(opts: TelemetryReaderOptions) {
    this.t = target(opts);
  }

  /** Kept messages, oldest first (the emulator keeps the newest 50 per device/module by default). */
  async messages(f: TelemetryFilter = {}): Promise<TelemetryMessage[]> {
    return (await this.get<{ messages: TelemetryMessage[] }>('/_emulator/telemetry', f)).messages;
  }

  /** One row per device/module that sent anything (since `f.since` when given): one request for any number of devices. */
  async summary(f: TelemetryFilter = {}): Promise<TelemetrySummary[]> {
    return (await this.get<{ identities: TelemetrySummary[] }>('/_emulator/telemetry/summary', f)).identities;
  }

  /** "Has module X on device D sent anything since T?" */
  async sentSince(deviceId: string, moduleId: string | undefined, since: Date | string): Promise<boolean> {
    const rows = await this.summary({ deviceId, moduleId, since });
    return rows.some((r) => (moduleId === undefined ? r.moduleId === undefined : r.moduleId === moduleId) && r.countSince > 0);
  }

  private get<T>(path: string, f: TelemetryFilter): Promise<T> {
    const q = new URLSearchParams();
    if (f.deviceId !== undefined) q.set('deviceId', f.deviceId);
    if (f.moduleId !== undefined) q.set('moduleId', f.moduleId);
    if (f.since !== undefined) q.set('since', f.since instanceof Date ? f.since.toISOString() : f.since);
    if (f.limit !== undefined) q.set('limit', String(f.limit));
    const full = `${path}?${q.toString()}`;
    return withRetry(() => new Promise<T>((resolve, reject) => {
      const req = https.request({ host: this.t.host, port: this.t.port, path: full, method: 'GET', ca: this.t.ca, headers: { Authorization: sas(this.t), Accept: 'application/json' }, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status !== 200) { reject(new HttpError(status, `emulator telemetry query failed (${status}): ${text.slice(0, 300)}`, res.headers)); return; }
          try { resolve(JSON.parse(text) as T); } catch (e) { reject(e); }
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end();
    }));
  }
}
