import { spawn } from 'child_process';

/**
 * How the core runs external tools: always an argument array, never a shell string.
 * Tasks plug in the task-lib tool runner; the CLI and tests use `spawnRunner`.
 */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin (e.g. `docker login --password-stdin`). Never logged. */
  stdin?: string;
  /** Stream output lines as they come (already masked by the caller's logger). */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Kill the child after this many ms. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(tool: string, args: string[], opts?: RunOptions): Promise<RunResult>;
}

function lineSplitter(cb?: (line: string) => void) {
  let buf = '';
  return {
    push(chunk: string) {
      if (!cb) return;
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) { cb(buf.slice(0, i).replace(/\r$/, '')); buf = buf.slice(i + 1); }
    },
    end() { if (cb && buf) cb(buf); buf = ''; },
  };
}

export const spawnRunner: CommandRunner = {
  run(tool, args, opts = {}) {
    return new Promise((resolve, reject) => {
      const child = spawn(tool, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const outLines = lineSplitter(opts.onStdout);
      const errLines = lineSplitter(opts.onStderr);
      let timer: NodeJS.Timeout | undefined;
      if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; outLines.push(d); });
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; errLines.push(d); });
      child.on('error', (e) => { if (timer) clearTimeout(timer); reject(e); });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        outLines.end();
        errLines.end();
        resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
      });
      child.stdin.on('error', () => { /* child may exit before reading stdin */ });
      if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
      else child.stdin.end();
    });
  },
};
