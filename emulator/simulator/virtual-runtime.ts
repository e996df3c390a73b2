import { AgentSpec, DesiredStatus, ModuleSpec, ModuleState, NEVER } from './agent-model';
import { ImageChecker } from './image-check';

/** Brings a device's modules to a deployment and keeps their states (what the agent reports). */
export interface ModuleRuntime {
  readonly states: Map<string, ModuleState>;
  /** Called whenever a module's state changes outside apply() (crash, restart, exit). */
  onChange?: () => void;
  /** Runs the plan; resolves with the deployment status once every step ran. */
  apply(spec: AgentSpec): Promise<DesiredStatus>;
  dispose(): Promise<void>;
}

export interface VirtualOptions {
  /** How long a crashing module runs before it exits (ms). */
  crashAfterMs?: number;
  /** Backoff before the agent restarts an exited module (ms). */
  backoffMs?: number;
  /** Default start delay for `slowstart` modules (ms). */
  slowStartMs?: number;
}

type Fate = 'ok' | 'crash' | 'crashloop' | 'slowstart';
const FATES: Fate[] = ['ok', 'crash', 'crashloop', 'slowstart'];

interface Running {
  fingerprint: string;
  spec: ModuleSpec;
  fate: Fate;
  pullFailed?: boolean;
  timer?: NodeJS.Timeout;
}

const now = () => new Date().toISOString();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Module fates without containers: the image must exist in its registry (else the pull fails and
 * the module is in backoff, the deployment 500), and the label `edgeops.simulate` on the image or
 * the env `EDGEOPS_SIMULATE` in the deployment chooses crash | crashloop | slowstart
 * (`edgeops.simulate.delay-ms` / `EDGEOPS_SIMULATE_DELAY_MS` for the timings).
 */
export class VirtualRuntime implements ModuleRuntime {
  readonly states = new Map<string, ModuleState>();
  onChange?: () => void;
  private readonly running = new Map<string, Running>();
  private disposed = false;

  constructor(private readonly checker: ImageChecker, private readonly opts: VirtualOptions = {}) {}

  async apply(spec: AgentSpec): Promise<DesiredStatus> {
    const t = now();
    if (!this.states.has('$edgeHub')) {
      this.states.set('$edgeHub', { runtimeStatus: 'running', statusDescription: 'running', exitCode: 0, restartCount: 0, lastStartTimeUtc: t, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER });
    }
    const wanted = new Set(spec.modules.map((m) => m.name));
    for (const [name, r] of this.running) {
      if (wanted.has(name)) continue;
      if (r.timer) clearTimeout(r.timer);
      this.running.delete(name);
      this.states.delete(name);
    }
    const failures: string[] = [];
    const ordered = [...spec.modules].sort((a, b) => (a.startupOrder ?? 4294967295) - (b.startupOrder ?? 4294967295));
    for (const m of ordered) {
      const cur = this.running.get(m.name);
      if (cur && cur.fingerprint === m.fingerprint && !cur.pullFailed) continue; // unchanged: the container keeps running
      if (cur?.timer) clearTimeout(cur.timer);
      const check = await this.checker.check(m.image, spec.registryCredentials);
      if (this.disposed) break;
      if (!check.found) {
        failures.push(check.description);
        this.running.set(m.name, { fingerprint: m.fingerprint, spec: m, fate: 'ok', pullFailed: true });
        this.states.set(m.name, {
          runtimeStatus: 'backoff', statusDescription: check.description, exitCode: 0, restartCount: 0,
          lastStartTimeUtc: NEVER, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER,
        });
        continue;
      }
      const raw = (m.env.EDGEOPS_SIMULATE ?? check.labels['edgeops.simulate'] ?? 'ok').toLowerCase() as Fate;
      const fate: Fate = FATES.includes(raw) ? raw : 'ok';
      const delay = Number(m.env.EDGEOPS_SIMULATE_DELAY_MS ?? check.labels['edgeops.simulate.delay-ms'] ?? NaN);
      const r: Running = { fingerprint: m.fingerprint, spec: m, fate };
      this.running.set(m.name, r);
      if (m.status === 'stopped') {
        this.states.set(m.name, { runtimeStatus: 'stopped', statusDescription: 'stopped', exitCode: 0, restartCount: 0, lastStartTimeUtc: NEVER, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER, imageHash: check.digest });
        continue;
      }
      // A slow start (large image, slow container start) holds up the plan, as a slow pull does for the agent.
      if (fate === 'slowstart') await sleep(Number.isFinite(delay) ? delay : (this.opts.slowStartMs ?? 3000));
      if (this.disposed) break;
      const started = now();
      this.states.set(m.name, { runtimeStatus: 'running', statusDescription: 'running', exitCode: 0, restartCount: 0, lastStartTimeUtc: started, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER, imageHash: check.digest });
      if (fate === 'crash' || fate === 'crashloop') this.scheduleExit(m.name, r, Number.isFinite(delay) ? delay : (this.opts.crashAfterMs ?? 1000));
    }
    return failures.length ? { code: 500, description: failures.join('; ') } : { code: 200, description: '' };
  }

  private scheduleExit(name: string, r: Running, afterMs: number): void {
    r.timer = setTimeout(() => {
      const st = this.states.get(name);
      if (!st || this.running.get(name) !== r) return;
      const restart = r.spec.restartPolicy !== 'never';
      st.exitCode = 1;
      st.lastExitTimeUtc = now();
      st.runtimeStatus = restart ? 'backoff' : 'failed';
      st.statusDescription = 'Module exited with code 1';
      this.onChange?.();
      if (!restart) return;
      r.timer = setTimeout(() => {
        if (this.running.get(name) !== r) return;
        const t = now();
        st.restartCount++;
        st.lastRestartTimeUtc = t;
        st.lastStartTimeUtc = t;
        st.runtimeStatus = 'running';
        st.statusDescription = 'running';
        this.onChange?.();
        if (r.fate === 'crashloop') this.scheduleExit(name, r, afterMs);
      }, this.opts.backoffMs ?? 1000);
    }, afterMs);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const r of this.running.values()) if (r.timer) clearTimeout(r.timer);
    this.running.clear();
  }
}
