import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TimelineRecord } from '../../../cli/pipeline/report';

/** A throw-away git repository with the given files committed (Build.SourceVersion needs a HEAD). */
export function tempRepo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-run-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
  return dir;
}

/** "Stage/Job/Step" → result, for compact assertions. */
export function results(timeline: TimelineRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (r: TimelineRecord, prefix: string) => {
    const key = prefix ? `${prefix}/${r.displayName}` : r.displayName;
    out[key] = r.result;
    r.children.forEach((c) => walk(c, key));
  };
  timeline.forEach((t) => walk(t, ''));
  return out;
}

export const fixtureTasks = path.resolve(__dirname, '../../../../test/integration/pipeline/fixtures/tasks');
export const repoRoot = path.resolve(__dirname, '../../../..');
