import { AgentSpec, buildReported, DesiredError, DesiredStatus, diff, Json, parseAgentDesired } from './agent-model';
import { AgentLink, DeviceLink } from './links';
import { ModuleRuntime } from './virtual-runtime';

export interface SimulatedDeviceOptions {
  deviceId: string;
  agent: AgentLink;
  device: DeviceLink;
  runtime: ModuleRuntime;
  architecture: string;
  applyDelayMs: number;
  /** Retry a failed plan (pulls) this often, as the agent's reconcile loop does. */
  retryMs: number;
  /** Called with a terse status line whenever it changes. */
  onStatus(deviceId: string, line: string): void;
  onError(deviceId: string, err: Error): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One IoT Edge device: connects as `$edgeAgent` and as the device, applies each desired version
 * through its runtime, reports what the agent reports, answers `ping`.
 */
export class SimulatedDevice {
  private spec?: AgentSpec;
  private status: DesiredStatus = { code: 406, description: 'Agent is not running' };
  private lastDesiredVersion = 0;
  private pending?: Json;
  private applying = false;
  private reported?: Json;
  private reportTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private readonly agentStart = new Date().toISOString();
  private online = false;
  private stopped = false;
  private lastLine = '';
  private reporting: Promise<void> = Promise.resolve();

  constructor(private readonly o: SimulatedDeviceOptions) {
    o.runtime.onChange = () => this.scheduleReport();
    o.agent.onMethod('ping', () => ({ status: 200, payload: null }));
    o.agent.onDesired((d) => this.desired(d));
    o.agent.onDisconnect(() => { if (this.online && !this.stopped) { this.online = false; this.emitStatus(); } });
  }

  get id(): string { return this.o.deviceId; }
  get connected(): boolean { return this.online; }

  async start(): Promise<void> {
    await this.o.device.open();
    await this.o.agent.open();
    this.online = true;
    const desired = await this.o.agent.getDesired();
    this.reported = undefined; // first report after (re)connect is a full one
    this.desired(desired, true);
  }

  /** Goes offline (both connections) for `ms`, then reconnects and catches up. */
  async drop(ms: number): Promise<void> {
    this.online = false;
    this.emitStatus();
    await Promise.all([this.o.agent.close(), this.o.device.close()]);
    await sleep(ms);
    if (!this.stopped) await this.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reportTimer) clearTimeout(this.reportTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.reporting;
    await Promise.all([this.o.agent.close(), this.o.device.close()]);
    await this.o.runtime.dispose();
  }

  private desired(d: Json, force = false): void {
    const v = typeof d.$version === 'number' ? d.$version : 0;
    if (!force && v === this.lastDesiredVersion && !this.pending) return; // the SDK repeats the current desired on subscribe
    // A newer desired state supersedes any pending pull retry of an older one (e.g. after a rollback).
    if (!force && this.retryTimer) { clearTimeout(this.retryTimer); this.retryTimer = undefined; }
    this.pending = JSON.parse(JSON.stringify(d)) as Json;
    if (!this.applying) void this.loop();
  }

  private async loop(): Promise<void> {
    this.applying = true;
    try {
      while (this.pending && !this.stopped) {
        const d = this.pending;
        this.pending = undefined;
        if (this.o.applyDelayMs > 0) await sleep(this.o.applyDelayMs);
        if (this.pending) continue; // superseded while waiting
        const version = typeof d.$version === 'number' ? d.$version : 0;
        try {
          const spec = parseAgentDesired(d);
          this.spec = spec;
          this.status = await this.o.runtime.apply(spec);
        } catch (e) {
          if (!(e instanceof DesiredError)) throw e;
          this.status = e.status; // the modules in force stay as they are
        }
        this.lastDesiredVersion = version;
        this.scheduleReport(0);
        if (this.status.code === 500 && !this.stopped) {
          if (this.retryTimer) clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            // Only retry the version still in force; a newer one has its own apply.
            if (!this.pending && this.spec && this.lastDesiredVersion === version) this.desired({ ...d }, true);
          }, this.o.retryMs);
        }
      }
    } catch (e) {
      this.o.onError(this.id, e as Error);
    } finally {
      this.applying = false;
    }
  }

  private scheduleReport(delayMs = 50): void {
    if (this.reportTimer && delayMs > 0) return;
    if (this.reportTimer) clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => {
      this.reportTimer = undefined;
      this.reporting = this.reporting.then(() => this.report()).catch((e) => this.o.onError(this.id, e as Error));
    }, delayMs);
  }

  private async report(): Promise<void> {
    this.emitStatus();
    if (!this.online || this.stopped) return;
    const full = buildReported({
      lastDesiredVersion: this.lastDesiredVersion, status: this.status, spec: this.spec, states: this.o.runtime.states,
      agentStart: this.agentStart, architecture: this.o.architecture,
    });
    const patch = this.reported === undefined ? full : diff(this.reported, full);
    if (patch === undefined) return;
    await this.o.agent.report(patch as Json);
    this.reported = JSON.parse(JSON.stringify(full)) as Json;
  }

  private emitStatus(): void {
    let line: string;
    if (!this.online) line = 'offline';
    else {
      const mods = [...(this.spec?.modules ?? [])].map((m) => {
        const st = this.o.runtime.states.get(m.name);
        return `${m.name}=${st ? st.runtimeStatus + (st.restartCount ? `(${st.restartCount})` : '') : 'pending'}`;
      });
      line = `v${this.lastDesiredVersion} ${this.status.code}${mods.length ? ' ' + mods.join(' ') : ''}`;
    }
    if (line !== this.lastLine) { this.lastLine = line; this.o.onStatus(this.id, line); }
  }
}
