import * as fs from 'fs';
import * as path from 'path';
import { SecretMasker } from '../../shared/core/logger';
import { Connections } from './connections';
import { Job, Stage, Step } from './model';
import { RunFolder, RunLogFiles } from './run-folder';
import { VariableStore } from './variables';

/** The shared state of a run, a job and a step while they execute. */

export type Result = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Skipped' | 'Canceled';

export interface TestRunReport {
  title: string;
  stage: string;
  job: string;
  files: string[];
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  failedTests: string[];
}

export interface RunRuntime {
  folder: RunFolder;
  files: RunLogFiles;
  masker: SecretMasker;
  /** Console output (already masked by the caller). */
  print(line: string): void;
  connections: Connections;
  repoRoot: string;
  taskDirs: string[];
  nodePath: string;
  debug: boolean;
  testRuns: TestRunReport[];
  summaries: string[];
  attachments: string[];
  tags: string[];
}

export interface JobRuntime {
  run: RunRuntime;
  stage: Stage;
  job: Job;
  vars: VariableStore;
  /** Output variables of this job: 'step.var' (and 'job.step.var' for deployment jobs). */
  outputs: Record<string, string>;
  prependPath: string[];
  /** Epoch ms after which the job times out. */
  deadline?: number;
}

export interface StepOutcome {
  result: Result;
  message?: string;
}

/** Writes a line to the console and the run's log files, masked. */
export function emit(run: RunRuntime, line: string): void {
  const masked = run.files.write(line);
  run.print(masked);
}

/** A file name that is safe on every OS, for copies kept in the run folder. */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || '_';
}

export function copyInto(src: string, destDir: string, name = path.basename(src)): string {
  fs.mkdirSync(destDir, { recursive: true });
  let dest = path.join(destDir, name);
  for (let i = 1; fs.existsSync(dest); i++) dest = path.join(destDir, `${i}-${name}`);
  fs.cpSync(src, dest, { recursive: true });
  return dest;
}

export type StepKindRunner = (job: JobRuntime, step: Step, session: import('./step-session').StepSession) => Promise<StepOutcome>;
