/**
 * mock-run entry for the build/push L0 tests. Unlike test/support/l0-run.ts it runs the REAL task-lib
 * (noMockTask): the tasks drive the real Docker engine through the task-lib tool runner, and inputs,
 * variables and endpoints come from the same environment variables the agent sets.
 */
import * as fs from 'fs';
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';

interface Scenario {
  task: string;
  inputs?: Record<string, string>;
  variables?: Record<string, string>;
  endpoints?: Record<string, { url?: string; scheme?: string; parameters?: Record<string, string>; data?: Record<string, string> }>;
}

const s = JSON.parse(process.env.L0_SCENARIO ?? '{}') as Scenario;
const tmr = new TaskMockRunner(path.resolve(__dirname, '..', '..', 'tasks', s.task, 'src', 'index.js'));
for (const [k, v] of Object.entries(s.inputs ?? {})) tmr.setInput(k, v);
for (const [k, v] of Object.entries(s.variables ?? {})) process.env[k.replace(/\./g, '_').toUpperCase()] = v;
for (const [id, ep] of Object.entries(s.endpoints ?? {})) {
  if (ep.url) process.env[`ENDPOINT_URL_${id}`] = ep.url;
  if (ep.scheme) {
    process.env[`ENDPOINT_AUTH_${id}`] = JSON.stringify({ scheme: ep.scheme, parameters: ep.parameters ?? {} });
    process.env[`ENDPOINT_AUTH_SCHEME_${id}`] = ep.scheme;
  }
  for (const [k, v] of Object.entries(ep.parameters ?? {})) process.env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(ep.data ?? {})) process.env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
}
// The real task-lib keeps its vault key in Agent.TempDirectory, which the agent always creates.
if (process.env.AGENT_TEMPDIRECTORY) fs.mkdirSync(process.env.AGENT_TEMPDIRECTORY, { recursive: true });
tmr.run(true);
