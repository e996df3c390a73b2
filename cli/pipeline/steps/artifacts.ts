import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { JobRuntime, safeName, StepOutcome } from '../runtime';
import type { StepSession } from '../step-session';

/**
 * Pipeline artifacts, kept in the run folder (`artifacts/<name>/`) instead of the service:
 * publish copies a file or folder in, download copies (a pattern-filtered part of) it out.
 */

function workingDir(job: JobRuntime): string {
  return job.vars.value('System.DefaultWorkingDirectory') ?? job.run.repoRoot;
}

export function publishArtifact(job: JobRuntime, source: string, name: string | undefined, session: StepSession): StepOutcome {
  const artifact = name?.trim() || `${job.stage.name === '__default' ? '' : job.stage.name + '_'}${job.job.name}`;
  if (safeName(artifact) !== artifact) return { result: 'Failed', message: `Artifact name '${artifact}' may only contain letters, digits, '.', '_' and '-'` };
  const src = path.resolve(workingDir(job), source || '.');
  if (!fs.existsSync(src)) return { result: 'Failed', message: `Path to publish not found: ${src}` };
  const dest = path.join(job.run.folder.artifacts, artifact);
  if (fs.existsSync(dest)) return { result: 'Failed', message: `Artifact '${artifact}' was already published in this run` };
  if (fs.statSync(src).isDirectory()) fs.cpSync(src, dest, { recursive: true });
  else { fs.mkdirSync(dest, { recursive: true }); fs.copyFileSync(src, path.join(dest, path.basename(src))); }
  const count = fg.sync('**/*', { cwd: dest, dot: true, onlyFiles: true }).length;
  session.print(`Published artifact '${artifact}' (${count} file(s)) from ${src}`);
  return { result: 'Succeeded' };
}

export function listArtifacts(job: JobRuntime): string[] {
  try {
    return fs.readdirSync(job.run.folder.artifacts).filter((d) => fs.statSync(path.join(job.run.folder.artifacts, d)).isDirectory()).sort();
  } catch {
    return [];
  }
}

/**
 * `download: current` and DownloadPipelineArtifact@2. A named artifact lands in targetPath
 * itself; "all artifacts" lands in targetPath/<name>, as the service does.
 */
export function downloadArtifacts(job: JobRuntime, opts: { artifact?: string; patterns?: string; targetPath?: string; shortcut: boolean }, session: StepSession): StepOutcome {
  const workspace = job.vars.value('Pipeline.Workspace') ?? job.run.folder.work;
  const all = listArtifacts(job);
  const names = opts.artifact ? [opts.artifact] : all;
  if (opts.artifact && !all.some((a) => a.toLowerCase() === opts.artifact?.toLowerCase())) {
    return { result: 'Failed', message: `Artifact '${opts.artifact}' was not published in this run${all.length ? ` (published: ${all.join(', ')})` : ' (none published yet)'}` };
  }
  const patterns = (opts.patterns || '**').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const include = patterns.filter((p) => !p.startsWith('!'));
  const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  let copied = 0;
  for (const n of names) {
    const real = all.find((a) => a.toLowerCase() === n.toLowerCase()) ?? n;
    const src = path.join(job.run.folder.artifacts, real);
    const base = opts.targetPath ? path.resolve(workingDir(job), opts.targetPath) : workspace;
    // The shortcut always uses <path>/<artifact>; the task does so only when downloading everything.
    const dest = opts.shortcut || !opts.artifact ? path.join(base, real) : base;
    for (const rel of fg.sync(include, { cwd: src, ignore, dot: true, onlyFiles: true })) {
      const to = path.join(dest, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(src, rel), to);
      copied++;
    }
    session.print(`Downloaded artifact '${real}' to ${dest}`);
  }
  if (names.length === 0) session.print('No artifacts to download');
  session.print(`${copied} file(s) downloaded`);
  return { result: 'Succeeded' };
}
