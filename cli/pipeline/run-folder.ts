import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../../shared/core/errors';
import { SecretMasker } from '../../shared/core/logger';

/**
 * One run's history folder: `<runsDir>/<n>/` with the full log, per-step logs, summaries,
 * test results, artifacts and attachments, plus `work/` standing in for the agent's work
 * folder (Pipeline.Workspace, staging directory, temp directory).
 */
export interface RunFolder {
  number: number;
  root: string;
  logs: string;
  summaries: string;
  testResults: string;
  artifacts: string;
  attachments: string;
  work: string;
  temp: string;
  staging: string;
  binaries: string;
  testResultsWork: string;
}

export function nextRunNumber(runsDir: string): number {
  let max = 0;
  try {
    for (const e of fs.readdirSync(runsDir)) if (/^\d+$/.test(e)) max = Math.max(max, Number(e));
  } catch { /* no runs yet */ }
  return max + 1;
}

export function createRunFolder(runsDir: string, preferred: number): RunFolder {
  try {
    fs.mkdirSync(runsDir, { recursive: true });
  } catch (e) {
    throw new InputError(`Cannot create the runs folder ${runsDir}: ${(e as NodeJS.ErrnoException).code}`, { file: runsDir });
  }
  // mkdir without recursive is the atomic "claim": two runs never share a number.
  for (let n = preferred; ; n++) {
    const root = path.join(runsDir, String(n));
    try {
      fs.mkdirSync(root);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new InputError(`Cannot create ${root}: ${(e as NodeJS.ErrnoException).code}`, { file: root });
    }
    const work = path.join(root, 'work');
    const f: RunFolder = {
      number: n, root,
      logs: path.join(root, 'logs'),
      summaries: path.join(root, 'summaries'),
      testResults: path.join(root, 'test-results'),
      artifacts: path.join(root, 'artifacts'),
      attachments: path.join(root, 'attachments'),
      work,
      temp: path.join(work, '_temp'),
      staging: path.join(work, 'a'),
      binaries: path.join(work, 'b'),
      testResultsWork: path.join(work, 'TestResults'),
    };
    for (const d of [f.logs, f.summaries, f.testResults, f.artifacts, f.attachments, f.temp, f.staging, f.binaries, f.testResultsWork]) {
      fs.mkdirSync(d, { recursive: true });
    }
    return f;
  }
}

/** Empties a folder the agent cleans between jobs (temp, staging). */
export function resetFolder(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * Log files of a run. Every line is masked before it reaches disk; the whole-run log and
 * the current step's log get the same text.
 */
export class RunLogFiles {
  private readonly runFd: number;
  private stepFd: number | undefined;

  constructor(readonly folder: RunFolder, private readonly masker: SecretMasker) {
    this.runFd = fs.openSync(path.join(folder.root, 'log.txt'), 'a', 0o600);
  }

  startStep(relPath: string): string {
    this.endStep();
    const file = path.join(this.folder.logs, relPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.stepFd = fs.openSync(file, 'a', 0o600);
    return file;
  }

  endStep(): void {
    if (this.stepFd !== undefined) fs.closeSync(this.stepFd);
    this.stepFd = undefined;
  }

  write(line: string): string {
    const masked = this.masker.mask(line);
    fs.writeSync(this.runFd, masked + '\n');
    if (this.stepFd !== undefined) fs.writeSync(this.stepFd, masked + '\n');
    return masked;
  }

  close(): void {
    this.endStep();
    fs.closeSync(this.runFd);
  }
}
