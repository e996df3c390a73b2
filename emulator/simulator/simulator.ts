import * as fs from 'fs';
import { InputError } from '../../shared/core/errors';
import { Logger, silentLogger } from '../../shared/core/logger';
import { mapBounded } from '../../shared/docker/pool';
import { createHubClients } from '../../shared/hub/clients';
import { readHubInfo, HubInfoFile } from '../../shared/hub/hub-info';
import { SimulatedDevice } from './device';
import { ensureEdgeDevices, EdgeIdentity } from './identities';
import { ImageChecker } from './image-check';
import { LinkFactory, sdkLinks } from './links';
import { ModuleRuntime, VirtualOptions, VirtualRuntime } from './virtual-runtime';

export interface SimulatorOptions {
  /** `edgeops hub start --info` output (connection string, CA, host, port, mqttPort). */
  hubInfoFile?: string;
  hubInfo?: HubInfoFile;
  count: number;
  /** Device ids are `${prefix}${n}` with n zero-padded to at least 4 digits. */
  prefix?: string;
  mode?: 'virtual' | 'docker';
  tags?: Record<string, unknown>;
  /** The last `offline` devices are created but never connect. */
  offline?: number;
  /** Reported runtime.platform.architecture (x86_64, armv7l, aarch64). */
  architecture?: string;
  applyDelayMs?: number;
  /** Extra CA certificates (PEM text) for registries. */
  registryCa?: string[];
  /** How devices connect: the azure-iot-device SDK (default) or a custom factory (lighter clients). */
  links?: LinkFactory;
  /** Builds each device's runtime; default by mode. */
  runtimeFactory?: (deviceId: string) => ModuleRuntime;
  virtual?: VirtualOptions;
  retryMs?: number;
  /**
   * Also connect the device identity (default true; it makes the device twin Connected). Off halves
   * the sockets for very large runs (each connection is a file descriptor on both ends).
   */
  deviceConnection?: boolean;
  /** How many devices connect at once. */
  connectConcurrency?: number;
  log?: Logger;
  onStatus?: (deviceId: string, line: string) => void;
}

/** Many simulated IoT Edge devices in one process against the emulator. See docs/simulator.md. */
export class DeviceSimulator {
  readonly devices: SimulatedDevice[] = [];
  identities: EdgeIdentity[] = [];
  offlineIds: string[] = [];
  readonly checker: ImageChecker;
  private readonly log: Logger;
  private readonly info: HubInfoFile;
  private stopping = false;

  constructor(private readonly o: SimulatorOptions) {
    this.log = o.log ?? silentLogger;
    if (!Number.isInteger(o.count) || o.count < 1) throw new InputError(`count must be a positive integer, got ${o.count}`, { field: 'count' });
    if ((o.offline ?? 0) < 0 || (o.offline ?? 0) > o.count) throw new InputError(`offline must be between 0 and count (${o.count})`, { field: 'offline' });
    const info = o.hubInfo ?? (o.hubInfoFile ? readHubInfo(o.hubInfoFile) : undefined);
    if (!info) throw new InputError('The simulator needs the emulator hub-info file (edgeops hub start --info FILE)', { field: 'hubInfo' });
    if (!info.mqttPort) throw new InputError('The hub-info file has no mqttPort: start the emulator with its device endpoint', { file: o.hubInfoFile, field: 'mqttPort' });
    this.info = info;
    this.checker = new ImageChecker({ ca: o.registryCa, log: this.log });
  }

  deviceIds(): string[] {
    const width = Math.max(4, String(this.o.count).length);
    return Array.from({ length: this.o.count }, (_, i) => `${this.o.prefix ?? 'sim-'}${String(i + 1).padStart(width, '0')}`);
  }

  /** Creates or reuses the identities, then connects every online device; resolves once all are connected. */
  async start(): Promise<void> {
    const { registry } = createHubClients({ connectionString: this.info.connectionString, caFile: this.info.caFile, log: this.log });
    const ids = this.deviceIds();
    this.identities = await ensureEdgeDevices(registry, ids, this.o.tags, this.log);
    const offline = this.o.offline ?? 0;
    this.offlineIds = ids.slice(ids.length - offline);
    const links = this.o.links ?? sdkLinks(this.info, fs.readFileSync(this.info.caFile, 'utf8'));
    const factory = this.o.runtimeFactory ?? ((): ModuleRuntime => {
      if ((this.o.mode ?? 'virtual') === 'docker') throw new InputError('docker mode needs a runtime factory (see DockerRuntime)');
      return new VirtualRuntime(this.checker, this.o.virtual);
    });
    for (const id of this.identities.slice(0, this.identities.length - offline)) {
      this.devices.push(new SimulatedDevice({
        deviceId: id.deviceId, agent: links.agent(id.deviceId, id.agentKey),
        device: this.o.deviceConnection === false ? { open: async () => undefined, close: async () => undefined } : links.device(id.deviceId, id.deviceKey),
        runtime: factory(id.deviceId), architecture: this.o.architecture ?? 'x86_64', applyDelayMs: this.o.applyDelayMs ?? 0,
        retryMs: this.o.retryMs ?? 10_000,
        onStatus: (d, line) => this.o.onStatus?.(d, line),
        onError: (d, e) => { if (!this.stopping) this.log.warn(`${d}: ${e.message}`); },
      }));
    }
    const results = await mapBounded(this.devices, this.o.connectConcurrency ?? 50, (d) => d.start());
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(`${failed.length} device(s) failed to connect: ${(failed[0].reason as Error).message}`);
  }

  device(deviceId: string): SimulatedDevice | undefined {
    return this.devices.find((d) => d.id === deviceId);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await mapBounded(this.devices, 100, (d) => d.stop());
  }
}
