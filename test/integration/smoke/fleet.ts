/**
 * A fleet of edge devices whose $edgeAgent reports like the real agent, written straight into the
 * emulator's state (HubEmulator.state.updateReported) for precise control of each failure mode.
 * The smoke test itself only sees the hub through azure-iothub.
 */
import { HubEmulator } from '../../../emulator';

export type Behavior =
  | 'healthy'
  | 'imageMissing' // the sensor image cannot be pulled: the module is never created
  | 'crashLoop' // sensor exits and is in backoff
  | 'wrongImage' // sensor runs a different image than the deployment asks for
  | 'stale' // the agent never acknowledges new desired versions (old manifest still applied)
  | 'rejected' // the agent refuses the manifest (lastDesiredStatus 400)
  | 'offline' // never connected, never reported
  | 'flapping'; // sensor running, but its restartCount keeps rising

interface Desired {
  $version: number;
  modules?: Record<string, { status?: string; settings?: { image?: string } }>;
  systemModules?: Record<string, { settings?: { image?: string } }>;
}

export class FakeFleet {
  readonly behaviors = new Map<string, Behavior>();
  /** Images that crash on every device (a broken release). */
  readonly crashingImages = new Set<string>();
  private readonly restarts = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly onTwin = (c: { deviceId: string; moduleId?: string; desired?: unknown }) => {
    if (c.moduleId === '$edgeAgent' && c.desired && this.behaviors.has(c.deviceId)) setImmediate(() => this.report(c.deviceId));
  };

  constructor(private readonly hub: HubEmulator) {
    hub.state.on('twin', this.onTwin);
  }

  /** Creates edge devices with tags and the given behavior, connects the ones that are not offline. */
  add(ids: string[], behavior: Behavior, tags: Record<string, unknown> = { env: 'dev' }): void {
    for (const id of ids) {
      if (!this.hub.state.devices.has(id)) this.hub.state.putDevice(id, { capabilities: { iotEdge: true } }, undefined);
      this.behaviors.set(id, behavior);
      this.hub.state.updateTwin(id, undefined, { tags }, undefined, false);
      this.apply(id);
    }
  }

  setBehavior(id: string, behavior: Behavior): void {
    this.behaviors.set(id, behavior);
    this.apply(id);
  }

  private apply(id: string): void {
    const b = this.behaviors.get(id)!;
    this.hub.state.setConnectionState(id, undefined, b !== 'offline');
    this.hub.state.setConnectionState(id, '$edgeAgent', b !== 'offline');
    if (b === 'flapping') {
      const t = setInterval(() => { this.restarts.set(id, (this.restarts.get(id) ?? 0) + 1); this.report(id); }, 150);
      t.unref();
      this.timers.push(t);
    }
    this.report(id);
  }

  /** Writes $edgeAgent reported properties for the device's current desired state. */
  report(id: string): void {
    const b = this.behaviors.get(id);
    if (!b || b === 'offline' || !this.hub.state.devices.has(id)) return;
    const desired = this.hub.state.twinOf(id, '$edgeAgent').properties.desired as unknown as Desired;
    const reported = this.hub.state.twinOf(id, '$edgeAgent').properties.reported as { lastDesiredVersion?: number };
    if (b === 'stale' && reported.lastDesiredVersion !== undefined) return;
    if (desired.$version <= 1 && !desired.modules) return; // no deployment yet
    const modules: Record<string, unknown> = {};
    for (const [name, m] of Object.entries(desired.modules ?? {})) {
      let image = m.settings?.image;
      if (name === 'sensor' && b === 'imageMissing') continue;
      if (name === 'sensor' && b === 'wrongImage') image = 'localhost:5000/sensor:0.9-hotfix';
      const crash = (name === 'sensor' && b === 'crashLoop') || (image !== undefined && this.crashingImages.has(image));
      modules[name] = {
        type: 'docker', status: m.status ?? 'running', version: '1.0', settings: { image, createOptions: '{}' },
        runtimeStatus: crash ? 'backoff' : (m.status === 'stopped' ? 'stopped' : 'running'),
        restartCount: crash ? 7 : (name === 'sensor' ? this.restarts.get(id) ?? 0 : 0),
        exitCode: crash ? 139 : 0, statusDescription: crash ? 'module exited: segmentation fault' : 'running',
        lastStartTimeUtc: new Date().toISOString(),
      };
    }
    const sys = desired.systemModules ?? {};
    this.hub.state.updateReported(id, '$edgeAgent', {
      schemaVersion: '1.1', lastDesiredVersion: desired.$version,
      lastDesiredStatus: b === 'rejected' ? { code: 400, description: 'Invalid deployment: createOptions of module sensor is not valid JSON' } : { code: 200, description: '' },
      systemModules: {
        edgeAgent: { runtimeStatus: 'running', settings: { image: sys.edgeAgent?.settings?.image } },
        edgeHub: { runtimeStatus: 'running', restartCount: 0, settings: { image: sys.edgeHub?.settings?.image } },
      },
      // Replace the module map (null first) so removed modules disappear, as the real agent's full report does.
      modules: null,
    } as never);
    this.hub.state.updateReported(id, '$edgeAgent', { modules } as never);
  }

  stop(): void {
    this.hub.state.off('twin', this.onTwin);
    for (const t of this.timers) clearInterval(t);
  }
}

/** A base deployment (the deploy integration tests' shape) with sensor at `tag`. */
export function deploymentContent(tag: string, extra: Record<string, unknown> = {}) {
  return {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: {} },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '{}' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '{}' } },
          },
          modules: {
            sensor: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: `localhost:5000/sensor:${tag}`, createOptions: '{}' } },
            ...extra,
          },
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  };
}
