import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

/**
 * Runs a task's tsc output under task-lib's mock runner (L0). Offline: nodePath is the running Node,
 * so mock-test never downloads one.
 *
 *   const tr = await runL0({ task: 'IoTEdgeDeploy', inputs: { action: 'deploy' } });
 *   assert.ok(tr.failed); assert.ok(tr.stdOutContained('Input required'));
 */
export interface L0Scenario {
  task: string;
  inputs?: Record<string, string>;
  variables?: Record<string, string>;
  endpoints?: Record<string, { url?: string; auth?: { scheme: string; parameters: Record<string, string> }; data?: Record<string, string> }>;
  answers?: Record<string, unknown>;
  mocks?: Record<string, string>;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export async function runL0(scenario: L0Scenario): Promise<MockTestRunner> {
  const script = path.join(__dirname, 'l0-run.js');
  const taskJson = path.join(repoRoot, 'tasks', scenario.task, 'task.json');
  const tr = new MockTestRunner(script, taskJson);
  tr.nodePath = process.execPath;
  const saved = process.env.L0_SCENARIO;
  process.env.L0_SCENARIO = JSON.stringify(scenario);
  try {
    await tr.runAsync();
  } finally {
    if (saved === undefined) delete process.env.L0_SCENARIO;
    else process.env.L0_SCENARIO = saved;
  }
  return tr;
}
