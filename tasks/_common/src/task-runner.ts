import * as tl from 'azure-pipelines-task-lib/task';
import { CommandRunner, RunOptions, spawnRunner } from '../../../shared/core/exec';

/**
 * Runs external tools through the task-lib tool runner (argument arrays, agent-style
 * command echo). task-lib cannot feed stdin, so calls with stdin (docker login
 * --password-stdin) go through spawn: the secret is never on a command line either way.
 */
export const taskRunner: CommandRunner = {
  async run(tool: string, args: string[], opts: RunOptions = {}) {
    if (opts.stdin !== undefined) return spawnRunner.run(tool, args, opts);
    const runner = tl.tool(tl.which(tool, true)).arg(args);
    let stdout = '';
    let stderr = '';
    runner.on('stdout', (d: Buffer) => { stdout += d.toString(); });
    runner.on('stderr', (d: Buffer) => { stderr += d.toString(); });
    if (opts.onStdout) runner.on('stdline', opts.onStdout);
    if (opts.onStderr) runner.on('errline', opts.onStderr);
    const code = await runner.execAsync({
      cwd: opts.cwd,
      env: opts.env as { [key: string]: string } | undefined,
      silent: !opts.onStdout,
      ignoreReturnCode: true,
      failOnStdErr: false,
    });
    return { code, stdout, stderr };
  },
};
