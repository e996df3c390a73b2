import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { JobRuntime, StepOutcome } from '../runtime';
import type { StepSession } from '../step-session';
import { envName } from '../variables';
import { baseEnv, stepTimeoutMs } from './process-env';
import { runStepProcess } from './process-run';

export interface ScriptSpec {
  script: string;
  workingDirectory?: string;
  failOnStderr: boolean;
  env: Record<string, string>;
  timeoutMinutes?: number;
}

/**
 * script:/bash: — the macro-expanded body goes to a temp file in Agent.TempDirectory and runs
 * with `bash -e`. A secret variable referenced as $(name) is not written into the file:
 * it becomes "${EDGEOPS_SECRET_NAME}", passed through the environment only.
 */
export async function runScript(job: JobRuntime, spec: ScriptSpec, session: StepSession): Promise<StepOutcome> {
  const vars = job.vars;
  const secretEnv: Record<string, string> = {};
  const body = vars.expand(spec.script, {
    secretRef: (v) => {
      const n = `EDGEOPS_SECRET_${envName(v.name).replace(/[^A-Z0-9_]/g, '_')}`;
      secretEnv[n] = vars.expand(v.value);
      return `\${${n}}`;
    },
  });
  const defaultWd = vars.value('System.DefaultWorkingDirectory') ?? job.run.repoRoot;
  const cwd = spec.workingDirectory ? path.resolve(defaultWd, vars.expand(spec.workingDirectory)) : defaultWd;
  if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
    return { result: 'Failed', message: `workingDirectory does not exist: ${cwd}` };
  }
  const temp = vars.value('Agent.TempDirectory') ?? job.run.folder.temp;
  fs.mkdirSync(temp, { recursive: true });
  const file = path.join(temp, `${randomUUID()}.sh`);
  fs.writeFileSync(file, body.endsWith('\n') ? body : body + '\n', { mode: 0o700 });
  const env = { ...baseEnv(job), ...vars.toEnv({ includeSecretsAsSecretEnv: false }), ...secretEnv };
  for (const [k, v] of Object.entries(spec.env)) env[k] = vars.expand(v);
  session.print(`Script contents:\n${body.trimEnd()}`);
  session.print('========================== Starting Command Output ===========================');
  try {
    const timeoutMs = stepTimeoutMs(job, spec.timeoutMinutes);
    const r = await runStepProcess('bash', ['--noprofile', '--norc', '-e', file], {
      cwd, env, timeoutMs, onLine: (l, stream) => session.onLine(l, stream),
    });
    if (r.timedOut) return { result: 'Failed', message: `The step timed out after ${Math.round((timeoutMs ?? 0) / 1000)}s` };
    if (r.code !== 0) return { result: 'Failed', message: `Bash exited with code '${r.code}'.` };
    if (spec.failOnStderr && session.stderrLines > 0) return { result: 'Failed', message: 'Bash wrote to the standard error stream (failOnStderr).' };
    return { result: 'Succeeded' };
  } finally {
    fs.rmSync(file, { force: true });
  }
}
