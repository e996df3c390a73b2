import * as fs from 'fs';
import { ChildProcess, spawn } from 'child_process';

/** A long-running helper process of the demo (hub, simulators), its output in a log file. */
export class Background {
  private readonly child: ChildProcess;
  private exited = false;

  constructor(readonly name: string, cmd: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env) {
    const out = fs.openSync(logFile, 'a');
    // detached: its own process group, so stop() also ends what it started (containers' docker CLI etc.).
    this.child = spawn(cmd, args, { stdio: ['ignore', out, out], env, detached: true });
    fs.closeSync(out);
    this.child.on('exit', () => { this.exited = true; });
  }

  get running(): boolean { return !this.exited; }

  /** Resolves when `file` exists and parses as JSON, or rejects if the process dies first. */
  async waitForJson<T>(file: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (fs.existsSync(file)) {
        try { return JSON.parse(fs.readFileSync(file, 'utf8')) as T; } catch { /* being written */ }
      }
      if (this.exited) throw new Error(`${this.name} exited before writing ${file}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not write ${file} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    try { process.kill(-this.child.pid, 'SIGTERM'); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-this.child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    await done;
    clearTimeout(timer);
  }
}
