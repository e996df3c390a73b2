import * as path from 'path';
import { JobRuntime } from '../runtime';

/** Agent-only names a step must never inherit from the shell that started `edgeops`. */
const AGENT_PREFIXES = ['INPUT_', 'ENDPOINT_', 'SECRET_', 'SECUREFILE_', 'VSTS_', 'TASKLIB_', 'SYSTEM_', 'BUILD_', 'AGENT_', 'PIPELINE_', 'RELEASE_'];

/** The base environment of every step: the user's environment minus agent names, with prepended paths. */
export function baseEnv(job: JobRuntime): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!AGENT_PREFIXES.some((p) => k.toUpperCase().startsWith(p))) env[k] = v;
  }
  if (job.prependPath.length) env.PATH = [...job.prependPath, env.PATH ?? ''].join(path.delimiter);
  env.TF_BUILD = 'True';
  return env;
}

/** Milliseconds left for a step: the smaller of its own timeout and the job's deadline. */
export function stepTimeoutMs(job: JobRuntime, minutes: number | undefined): number | undefined {
  const own = minutes ? minutes * 60_000 : undefined;
  const left = job.deadline !== undefined ? Math.max(1, job.deadline - Date.now()) : undefined;
  if (own === undefined) return left;
  if (left === undefined) return own;
  return Math.min(own, left);
}
