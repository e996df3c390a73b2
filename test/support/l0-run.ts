/**
 * Generic task-lib mock-run entry for L0 tests: the scenario arrives as JSON in L0_SCENARIO
 * (set by runL0 in ./l0.ts), so each test states inputs/answers inline instead of one file per case.
 */
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import type { TaskLibAnswers } from 'azure-pipelines-task-lib/mock-answer';

interface Scenario {
  task: string;
  inputs?: Record<string, string>;
  variables?: Record<string, string>;
  endpoints?: Record<string, { url?: string; auth?: { scheme: string; parameters: Record<string, string> }; data?: Record<string, string> }>;
  answers?: TaskLibAnswers;
  /** Module ids to replace (exact require strings) → path of a JS file exporting the replacement. */
  mocks?: Record<string, string>;
}

const scenario = JSON.parse(process.env.L0_SCENARIO ?? '{}') as Scenario;
const entry = path.resolve(__dirname, '..', '..', 'tasks', scenario.task, 'src', 'index.js');
const tmr = new TaskMockRunner(entry);
for (const [k, v] of Object.entries(scenario.inputs ?? {})) tmr.setInput(k, v);
for (const [k, v] of Object.entries(scenario.variables ?? {})) process.env[k.replace(/\./g, '_').toUpperCase()] = v;
for (const [id, ep] of Object.entries(scenario.endpoints ?? {})) {
  if (ep.url) process.env[`ENDPOINT_URL_${id}`] = ep.url;
  if (ep.auth) process.env[`ENDPOINT_AUTH_${id}`] = JSON.stringify(ep.auth);
  for (const [k, v] of Object.entries(ep.auth?.parameters ?? {})) process.env[`ENDPOINT_AUTH_PARAMETER_${id}_${k.toUpperCase()}`] = v;
  if (ep.auth) process.env[`ENDPOINT_AUTH_SCHEME_${id}`] = ep.auth.scheme;
  for (const [k, v] of Object.entries(ep.data ?? {})) process.env[`ENDPOINT_DATA_${id}_${k.toUpperCase()}`] = v;
}
if (scenario.answers) tmr.setAnswers(scenario.answers);
for (const [id, file] of Object.entries(scenario.mocks ?? {})) tmr.registerMock(id, require(file));
tmr.run();
