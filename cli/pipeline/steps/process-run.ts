import { spawn } from 'child_process';

/**
 * Runs a step's process (argument array, no shell) in its own process group, so a timeout
 * stops the whole tree — `bash -e script.sh` running `sleep` would otherwise keep the output
 * pipes open after bash itself is killed (shared/core/exec kills only the direct child).
 */
export interface StepProcessResult { code: number; timedOut: boolean }

/** Process groups still running: Ctrl-C must stop them too, as they no longer share our group. */
const active = new Set<number>();
let sigintHooked = false;
function hookSigint(): void {
  if (sigintHooked) return;
  sigintHooked = true;
  process.once('SIGINT', () => {
    for (const pid of active) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    process.exit(130);
  });
}

export function runStepProcess(tool: string, args: string[], opts: {
  cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}): Promise<StepProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let timedOut = false;
    if (child.pid && process.platform !== 'win32') { active.add(child.pid); hookSigint(); }
    const killTree = () => {
      try {
        if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch { /* already gone */ }
    };
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; killTree(); }, opts.timeoutMs) : undefined;
    const lines = (stream: 'stdout' | 'stderr') => {
      let buf = '';
      return {
        push(d: string) {
          buf += d;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) { opts.onLine(buf.slice(0, i).replace(/\r$/, ''), stream); buf = buf.slice(i + 1); }
        },
        end() { if (buf) opts.onLine(buf, stream); buf = ''; },
      };
    };
    const out = lines('stdout');
    const err = lines('stderr');
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));
    child.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid) active.delete(child.pid);
      out.end();
      err.end();
      resolve({ code: code ?? (signal ? 128 : 1), timedOut });
    });
  });
}
