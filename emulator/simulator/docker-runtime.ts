import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { CommandRunner, spawnRunner } from '../../shared/core/exec';
import { Logger, silentLogger } from '../../shared/core/logger';
import { withRetry } from '../../shared/core/retry';
import { createHubClients } from '../../shared/hub/clients';
import { emulatorDeviceConnectionString } from '../../shared/hub/device-connection';
import { HubInfoFile } from '../../shared/hub/hub-info';
import { AgentSpec, DesiredStatus, ModuleSpec, ModuleState, NEVER, RuntimeStatus } from './agent-model';
import { ModuleRuntime } from './virtual-runtime';

export interface DockerRuntimeOptions {
  deviceId: string;
  hub: HubInfoFile;
  runner?: CommandRunner;
  log?: Logger;
  /** How often container states are read with docker inspect. */
  pollMs?: number;
}

const CA_IN_CONTAINER = '/edgeops/ca.pem';
const DOCKER_RESTART: Record<string, string> = { always: 'always', 'on-failure': 'on-failure', 'on-unhealthy': 'on-failure', never: 'no' };

function containerName(deviceId: string, module: string): string {
  return `edgeops-sim-${deviceId}-${module}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

interface Inspect {
  State: { Status: string; ExitCode: number; StartedAt: string; FinishedAt: string; Restarting: boolean };
  RestartCount: number;
  Image: string;
  Config: { Labels?: Record<string, string> };
}

/**
 * Real containers with the Docker engine, as the agent runs them: images pulled with the
 * deployment's registry credentials (a private DOCKER_CONFIG, password on stdin), one container
 * per module on the host network so modules reach the emulator on loopback, with
 * EdgeHubConnectionString + EdgeModuleCACertificateFile (what ModuleClient.fromEnvironment reads).
 * Restarts follow restartPolicy (Docker's restart policies); states come from docker inspect.
 */
export class DockerRuntime implements ModuleRuntime {
  readonly states = new Map<string, ModuleState>();
  onChange?: () => void;
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private readonly dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-sim-docker-'));
  private readonly containers = new Map<string, { name: string; fingerprint: string; spec: ModuleSpec }>();
  private readonly loggedIn = new Set<string>();
  private registry?: Registry;
  private timer?: NodeJS.Timeout;
  private disposed = false;

  constructor(private readonly o: DockerRuntimeOptions) {
    this.runner = o.runner ?? spawnRunner;
    this.log = o.log ?? silentLogger;
  }

  private docker(args: string[], stdin?: string) {
    return this.runner.run('docker', args, { env: { ...process.env, DOCKER_CONFIG: this.dockerConfig }, stdin, timeoutMs: 300_000 });
  }

  private async moduleKey(moduleId: string): Promise<string> {
    this.registry ??= createHubClients({ connectionString: this.o.hub.connectionString, caFile: this.o.hub.caFile, log: this.log }).registry;
    const reg = this.registry;
    // The agent creates a module identity for every module it runs.
    try {
      await withRetry(() => reg.addModule({ deviceId: this.o.deviceId, moduleId, managedBy: 'IotEdge' } as Parameters<Registry['addModule']>[0]));
    } catch (e) {
      if (!/AlreadyExists/i.test((e as Error).name + String((e as { responseBody?: unknown }).responseBody ?? ''))) throw e;
    }
    const key = (await withRetry(() => reg.getModule(this.o.deviceId, moduleId))).responseBody.authentication?.symmetricKey?.primaryKey;
    if (!key) throw new Error(`module ${this.o.deviceId}/${moduleId} has no symmetric key`);
    this.log.setSecret(key);
    return key;
  }

  private async login(spec: AgentSpec, image: string): Promise<void> {
    const host = image.split('/')[0];
    const cred = spec.registryCredentials.find((c) => c.address.replace(/^https?:\/\//, '').replace(/\/+$/, '') === host);
    if (!cred || !cred.username || this.loggedIn.has(`${host}\n${cred.username}`)) return;
    this.log.setSecret(cred.password);
    const r = await this.docker(['login', '--username', cred.username, '--password-stdin', host], cred.password);
    if (r.code !== 0) throw new Error(`docker login ${host} failed: ${r.stderr.trim()}`);
    this.loggedIn.add(`${host}\n${cred.username}`);
  }

  private runArgs(name: string, m: ModuleSpec, env: Record<string, string>): string[] {
    const args = ['run', '-d', '--name', name, '--network', 'host', '--label', `edgeops.sim.device=${this.o.deviceId}`, '--label', `edgeops.sim.fingerprint=${fingerprint(m)}`,
      '--restart', DOCKER_RESTART[m.restartPolicy] ?? 'no', '-v', `${this.o.hub.caFile}:${CA_IN_CONTAINER}:ro`];
    let create: { Env?: string[]; Cmd?: string[]; Entrypoint?: string[] } = {};
    try { create = JSON.parse(m.createOptions || '{}'); } catch { /* validated upstream; ignore odd text */ }
    for (const e of create.Env ?? []) args.push('-e', e);
    for (const [k, v] of Object.entries({ ...m.env, ...env })) args.push('-e', `${k}=${v}`);
    if (create.Entrypoint?.length) args.push('--entrypoint', create.Entrypoint[0]);
    args.push(m.image);
    if (create.Entrypoint && create.Entrypoint.length > 1) args.push(...create.Entrypoint.slice(1));
    if (create.Cmd?.length) args.push(...create.Cmd);
    return args;
  }

  async apply(spec: AgentSpec): Promise<DesiredStatus> {
    const t = new Date().toISOString();
    if (!this.states.has('$edgeHub')) this.states.set('$edgeHub', { runtimeStatus: 'running', statusDescription: 'running (the emulator routes messages)', exitCode: 0, restartCount: 0, lastStartTimeUtc: t, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER });
    const wanted = new Set(spec.modules.map((m) => m.name));
    for (const [mod, c] of [...this.containers]) {
      if (wanted.has(mod)) continue;
      await this.docker(['rm', '-f', c.name]);
      this.containers.delete(mod);
      this.states.delete(mod);
    }
    const failures: string[] = [];
    for (const m of [...spec.modules].sort((a, b) => (a.startupOrder ?? 4294967295) - (b.startupOrder ?? 4294967295))) {
      if (this.disposed) break;
      const fp = fingerprint(m);
      const cur = this.containers.get(m.name);
      if (cur && cur.fingerprint === fp && !this.pullFailed(m.name)) continue; // unchanged: keep the container
      try {
        await this.login(spec, m.image);
        const pull = await this.docker(['pull', m.image]);
        if (pull.code !== 0) {
          const why = `Failed to pull image ${m.image}: ${pull.stderr.trim().split('\n').pop()}`;
          failures.push(why);
          this.states.set(m.name, { runtimeStatus: 'backoff', statusDescription: why, exitCode: 0, restartCount: 0, lastStartTimeUtc: NEVER, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER });
          this.containers.set(m.name, { name: containerName(this.o.deviceId, m.name), fingerprint: fp, spec: m });
          continue;
        }
        const name = containerName(this.o.deviceId, m.name);
        await this.docker(['rm', '-f', name]);
        const cs = emulatorDeviceConnectionString(this.o.hub, this.o.deviceId, await this.moduleKey(m.name), m.name);
        this.log.setSecret(cs);
        const env = { EdgeHubConnectionString: cs, EdgeModuleCACertificateFile: CA_IN_CONTAINER, IOTEDGE_DEVICEID: this.o.deviceId, IOTEDGE_MODULEID: m.name };
        if (m.status === 'stopped') {
          const created = await this.docker(['create', ...this.runArgs(name, m, env).slice(2)]);
          if (created.code !== 0) throw new Error(created.stderr.trim());
        } else {
          const run = await this.docker(this.runArgs(name, m, env));
          if (run.code !== 0) throw new Error(run.stderr.trim());
        }
        this.containers.set(m.name, { name, fingerprint: fp, spec: m });
      } catch (e) {
        failures.push(`Module ${m.name}: ${(e as Error).message}`);
        this.states.set(m.name, { runtimeStatus: 'failed', statusDescription: (e as Error).message, exitCode: 0, restartCount: 0, lastStartTimeUtc: NEVER, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER });
      }
    }
    await this.poll(false);
    if (!this.timer && !this.disposed) this.timer = setInterval(() => { void this.poll(true); }, this.o.pollMs ?? 2000);
    return failures.length ? { code: 500, description: failures.join('; ') } : { code: 200, description: '' };
  }

  private pullFailed(mod: string): boolean {
    return this.states.get(mod)?.statusDescription.startsWith('Failed to pull') === true;
  }

  /** Reads every container's state; reports changes. */
  private async poll(notify: boolean): Promise<void> {
    const live = [...this.containers.entries()].filter(([mod]) => !this.pullFailed(mod));
    if (live.length === 0) return;
    const r = await this.docker(['inspect', ...live.map(([, c]) => c.name)]);
    let list: (Inspect & { Name: string })[] = [];
    try { list = JSON.parse(r.stdout || '[]'); } catch { return; }
    let changed = false;
    for (const [mod, c] of live) {
      const i = list.find((x) => x.Name === `/${c.name}`);
      const next: ModuleState = i ? fromInspect(i, c.spec) : { runtimeStatus: 'unknown', statusDescription: 'container not found', exitCode: 0, restartCount: 0, lastStartTimeUtc: NEVER, lastExitTimeUtc: NEVER, lastRestartTimeUtc: NEVER };
      if (JSON.stringify(next) !== JSON.stringify(this.states.get(mod))) { this.states.set(mod, next); changed = true; }
    }
    if (changed && notify && !this.disposed) this.onChange?.();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    const names = [...this.containers.values()].map((c) => c.name);
    if (names.length) await this.docker(['rm', '-f', ...names]);
    fs.rmSync(this.dockerConfig, { recursive: true, force: true });
  }
}

function fingerprint(m: ModuleSpec): string {
  return crypto.createHash('sha256').update(m.fingerprint).digest('hex').slice(0, 16);
}

function dockerTime(t: string): string {
  return !t || t.startsWith('0001-01-01') ? NEVER : new Date(t).toISOString();
}

function fromInspect(i: Inspect, m: ModuleSpec): ModuleState {
  const s = i.State;
  let status: RuntimeStatus;
  if (s.Restarting || s.Status === 'restarting') status = 'backoff';
  else if (s.Status === 'running') status = 'running';
  else if (s.Status === 'exited' || s.Status === 'dead') status = s.ExitCode === 0 ? 'stopped' : (m.restartPolicy === 'never' ? 'failed' : 'backoff');
  else if (s.Status === 'created') status = 'stopped';
  else status = 'unknown';
  return {
    runtimeStatus: status, statusDescription: status === 'running' ? 'running' : `${s.Status}${s.ExitCode ? ` (exit code ${s.ExitCode})` : ''}`,
    exitCode: s.ExitCode, restartCount: i.RestartCount, lastStartTimeUtc: dockerTime(s.StartedAt), lastExitTimeUtc: dockerTime(s.FinishedAt),
    lastRestartTimeUtc: i.RestartCount > 0 ? dockerTime(s.StartedAt) : NEVER, imageHash: i.Image,
  };
}
