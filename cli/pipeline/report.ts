import { Result, TestRunReport } from './runtime';

/** Timeline of a run: stage → job → step, each with its result, duration and a short note. */
export interface TimelineRecord {
  kind: 'stage' | 'job' | 'step';
  name: string;
  displayName: string;
  result: Result;
  durationMs: number;
  note?: string;
  children: TimelineRecord[];
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** The final table, one row per stage, job and step. */
export function renderTable(stages: TimelineRecord[]): string {
  const rows: string[][] = [['Stage / Job / Step', 'Result', 'Duration', 'Note']];
  const add = (r: TimelineRecord, depth: number) => {
    rows.push([`${'  '.repeat(depth)}${r.displayName}`, r.result, r.result === 'Skipped' ? '-' : formatDuration(r.durationMs), r.note ?? '']);
    for (const c of r.children) add(c, depth + 1);
  };
  for (const s of stages) add(s, 0);
  const widths = [0, 1, 2].map((i) => Math.min(70, Math.max(...rows.map((r) => r[i].length))));
  const line = (r: string[]) => [r[0].slice(0, widths[0]).padEnd(widths[0]), r[1].padEnd(widths[1]), r[2].padStart(widths[2]), r[3]].join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function renderTests(runs: TestRunReport[]): string[] {
  return runs.map((t) => `Tests '${t.title}' (${t.stage}/${t.job}): ${t.passed}/${t.total} passed, ${t.failed} failed, ${t.skipped} skipped`);
}

/** Overall result from children, the way the service rolls results up. */
export function rollUp(results: Result[]): Result {
  if (results.length === 0 || results.every((r) => r === 'Skipped')) return 'Skipped';
  if (results.includes('Canceled')) return 'Canceled';
  if (results.includes('Failed')) return 'Failed';
  if (results.includes('SucceededWithIssues')) return 'SucceededWithIssues';
  return 'Succeeded';
}
