import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

/** Runs one of the build/push tasks (tsc output) under MockTestRunner with the real task-lib. */
export interface RealL0Scenario {
  task: 'IoTEdgeBuildModuleImages' | 'IoTEdgePushModuleImages';
  inputs?: Record<string, string>;
  variables?: Record<string, string>;
  endpoints?: Record<string, { url?: string; scheme?: string; parameters?: Record<string, string>; data?: Record<string, string> }>;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export async function runRealL0(s: RealL0Scenario): Promise<MockTestRunner> {
  const tr = new MockTestRunner(path.join(__dirname, 'IoTEdgeBuildModuleImages.run.js'), path.join(repoRoot, 'tasks', s.task, 'task.json'));
  tr.nodePath = process.execPath;
  process.env.L0_SCENARIO = JSON.stringify(s);
  try { await tr.runAsync(); } finally { delete process.env.L0_SCENARIO; }
  return tr;
}

/** A writable copy of a fixture solution (tests edit files to prove incremental rebuilds). */
export function copySolution(name: string): string {
  const src = path.join(repoRoot, 'test', 'fixtures', 'solutions', name);
  const dst = fs.mkdtempSync(path.join(os.tmpdir(), `edgeops-${name}-`));
  fs.cpSync(src, dst, { recursive: true });
  return dst;
}

/** Value of `##vso[task.setvariable variable=NAME;…]value` in a task's output. */
export function outputVariable(stdout: string, name: string): string | undefined {
  const m = new RegExp(`##vso\\[task\\.setvariable variable=${name};[^\\]]*\\](.*)`).exec(stdout);
  return m?.[1].trim();
}

export const noStackTrace = (text: string) => !/\n\s+at .+:\d+:\d+\)?/.test(text);
