/**
 * Start and stop the local IoT Hub emulator for tests (deploy, smoke test, emulator tests).
 *
 *   const hub = await startHub();                  // in-process, in-memory, free loopback port
 *   const { registry, client } = hub.clients();    // azure-iothub Registry/Client via shared/hub
 *   hub.connectionString / hub.caFile / hub.hubInfoFile   // for code under test and task inputs
 *   hub.emulator                                    // the HubEmulator (in-process only): .state, .faults …
 *   await hub.stop();
 *
 *   const hub = await startHubProcess({ stateDir }); // `edgeops hub start` as a child process
 *   await hub.stop();                                // SIGTERM, waits for exit (code 0 expected)
 *
 * Options: stateDir (persist there instead of memory), faults (FaultRule[]), deploymentDelayMs.
 * hubInfoFile is a JSON file {connectionString, caFile, host, port} in a temp folder that stop()
 * removes (the state folder is yours to remove).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HubEmulator, HubInfo } from '../../emulator';
import { FaultRule } from '../../emulator/faults';
import { createHubClients, HubClients } from '../../shared/hub/clients';

export interface TestHubOptions {
  stateDir?: string;
  faults?: FaultRule[];
  deploymentDelayMs?: number;
}

export interface TestHub extends HubInfo {
  hubInfoFile: string;
  /** Present for startHub (in-process). */
  emulator?: HubEmulator;
  /** Present for startHubProcess: the CLI's exit code once stopped. */
  exitCode?: number | null;
  clients(): HubClients;
  stop(): Promise<void>;
}

const REPO = path.resolve(__dirname, '..', '..', '..');

function writeInfo(info: HubInfo, dir: string): string {
  const file = path.join(dir, 'hub-info.json');
  fs.writeFileSync(file, JSON.stringify(info));
  return file;
}

export async function startHub(opts: TestHubOptions = {}): Promise<TestHub> {
  const emulator = new HubEmulator({ inMemory: !opts.stateDir, stateDir: opts.stateDir, port: 0, faults: opts.faults, deploymentDelayMs: opts.deploymentDelayMs });
  const info = await emulator.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-testhub-'));
  const hubInfoFile = writeInfo(info, dir);
  return {
    ...info,
    hubInfoFile,
    emulator,
    clients: () => createHubClients({ connectionString: info.connectionString, caFile: info.caFile }),
    async stop() {
      await emulator.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startHubProcess(opts: TestHubOptions = {}, timeoutMs = 20_000): Promise<TestHub> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-testhub-'));
  const hubInfoFile = path.join(dir, 'hub-info.json');
  const args = [path.join(REPO, 'bin', 'edgeops.js'), 'hub', 'start', '--port', '0', '--info', hubInfoFile];
  if (opts.stateDir) args.push('--state', opts.stateDir); else args.push('--in-memory');
  if (opts.faults) { const f = path.join(dir, 'faults.json'); fs.writeFileSync(f, JSON.stringify(opts.faults)); args.push('--faults', f); }
  if (opts.deploymentDelayMs !== undefined) args.push('--deployment-delay', String(opts.deploymentDelayMs));
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(hubInfoFile)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`edgeops hub start did not come up:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const info = JSON.parse(fs.readFileSync(hubInfoFile, 'utf8')) as HubInfo;
  const hub: TestHub = {
    ...info,
    hubInfoFile,
    clients: () => createHubClients({ connectionString: info.connectionString, caFile: info.caFile }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      hub.exitCode = await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return hub;
}
