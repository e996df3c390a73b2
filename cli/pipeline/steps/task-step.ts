import * as fs from 'fs';
import * as path from 'path';
import { InputError, SourceLocation } from '../../../shared/core/errors';
import { connectionSecrets, endpointEnv } from '../connections';
import { Step } from '../model';
import { JobRuntime, StepOutcome } from '../runtime';
import type { StepSession } from '../step-session';
import { envName } from '../variables';
import { downloadArtifacts, publishArtifact } from './artifacts';
import { baseEnv, stepTimeoutMs } from './process-env';
import { runStepProcess } from './process-run';
import { runScript } from './script-step';
import { publishTestResults } from './test-results';

/**
 * `task: Name@major` steps. Our tasks (and any task folder with a Node handler) run like
 * the agent runs them: `node <target>` with INPUT_*, ENDPOINT_*, SECRET_* and the job's
 * variables in the environment. A handful of Microsoft tasks the pipelines need are
 * built in, working on the run folder.
 */

export interface TaskInputDef { name: string; aliases?: string[]; type?: string; defaultValue?: string }

export interface TaskDef {
  name: string;
  friendlyName: string;
  version: string;
  major: number;
  inputs: TaskInputDef[];
  outputVariables: string[];
  /** Folder and entry script for external tasks. */
  dir?: string;
  target?: string;
  builtin?: (job: JobRuntime, inputs: Record<string, string>, step: Step, session: StepSession) => Promise<StepOutcome>;
}

const def = (name: string, major: number, inputs: TaskInputDef[], builtin: TaskDef['builtin']): TaskDef =>
  ({ name, friendlyName: name, version: `${major}.0.0 (built into edgeops)`, major, inputs, outputVariables: [], builtin });

const BUILTIN: TaskDef[] = [
  def('PublishPipelineArtifact', 1, [
    { name: 'targetPath', aliases: ['path'], defaultValue: '$(Pipeline.Workspace)' },
    { name: 'artifact', aliases: ['artifactName'] },
    { name: 'publishLocation', aliases: ['artifactType'], defaultValue: 'pipeline' },
    { name: 'fileSharePath' }, { name: 'parallel' }, { name: 'parallelCount' }, { name: 'properties' },
  ], async (job, i, _s, session) => {
    if (i.publishlocation && i.publishlocation.toLowerCase() !== 'pipeline') return { result: 'Failed', message: `publishLocation '${i.publishlocation}' is not supported locally (pipeline only)` };
    return publishArtifact(job, i.targetpath, i.artifact, session);
  }),
  def('PublishBuildArtifacts', 1, [
    { name: 'PathtoPublish', defaultValue: '$(Build.ArtifactStagingDirectory)' },
    { name: 'ArtifactName', defaultValue: 'drop' },
    { name: 'publishLocation', aliases: ['ArtifactType'], defaultValue: 'Container' },
    { name: 'TargetPath' }, { name: 'Parallel' }, { name: 'ParallelCount' }, { name: 'FileCopyOptions' }, { name: 'StoreAsTar' },
  ], async (job, i, _s, session) => publishArtifact(job, i.pathtopublish, i.artifactname, session)),
  def('DownloadPipelineArtifact', 2, [
    { name: 'buildType', aliases: ['source'], defaultValue: 'current' },
    { name: 'artifact', aliases: ['artifactName'] },
    { name: 'itemPattern', aliases: ['patterns'], defaultValue: '**' },
    { name: 'targetPath', aliases: ['downloadPath', 'path'], defaultValue: '$(Pipeline.Workspace)' },
    { name: 'project' }, { name: 'definition', aliases: ['pipeline'] }, { name: 'specificBuildWithTriggering' }, { name: 'buildVersionToDownload' },
    { name: 'allowPartiallySucceededBuilds' }, { name: 'branchName' }, { name: 'tags' }, { name: 'allowFailedBuilds' }, { name: 'pipelineId', aliases: ['buildId', 'runId'] },
  ], async (job, i, _s, session) => {
    if (i.buildtype && i.buildtype.toLowerCase() !== 'current') return { result: 'Failed', message: `buildType '${i.buildtype}' is not supported locally (current only)` };
    return downloadArtifacts(job, { artifact: i.artifact || undefined, patterns: i.itempattern, targetPath: i.targetpath, shortcut: false }, session);
  }),
  def('PublishTestResults', 2, [
    { name: 'testResultsFormat', aliases: ['testRunner'], defaultValue: 'JUnit' },
    { name: 'testResultsFiles', defaultValue: '**/TEST-*.xml' },
    { name: 'searchFolder', defaultValue: '$(System.DefaultWorkingDirectory)' },
    { name: 'mergeTestResults', defaultValue: 'false' },
    { name: 'failTaskOnFailedTests', defaultValue: 'false' },
    { name: 'failTaskOnFailureToPublishResults', defaultValue: 'false' },
    { name: 'failTaskOnMissingResultsFile', defaultValue: 'false' },
    { name: 'testRunTitle' }, { name: 'buildPlatform', aliases: ['platform'] }, { name: 'buildConfiguration', aliases: ['configuration'] },
    { name: 'publishRunAttachments', defaultValue: 'true' },
  ], async (job, i, _s, session) => publishTestResults(job, i, session)),
  def('CmdLine', 2, [
    { name: 'script', defaultValue: 'echo Write your commands here' }, { name: 'workingDirectory' }, { name: 'failOnStderr', defaultValue: 'false' },
  ], async (job, i, s, session) => runScript(job, { script: i.script, workingDirectory: i.workingdirectory || undefined, failOnStderr: i.failonstderr === 'true', env: s.env, timeoutMinutes: s.timeoutMinutes }, session)),
  def('Bash', 3, [
    { name: 'targetType', defaultValue: 'filePath' }, { name: 'filePath' }, { name: 'arguments' }, { name: 'script' },
    { name: 'workingDirectory' }, { name: 'failOnStderr', defaultValue: 'false' }, { name: 'bashEnvValue' }, { name: 'noProfile' }, { name: 'noRc' },
  ], async (job, i, s, session) => {
    const inline = i.targettype.toLowerCase() === 'inline';
    if (!inline && !i.filepath) return { result: 'Failed', message: 'Input required: filePath' };
    // Arguments are shell words by definition of the task; the file path is quoted.
    const script = inline ? i.script : `exec bash '${i.filepath.replace(/'/g, `'\\''`)}' ${i.arguments ?? ''}`;
    return runScript(job, { script, workingDirectory: i.workingdirectory || undefined, failOnStderr: i.failonstderr === 'true', env: s.env, timeoutMinutes: s.timeoutMinutes }, session);
  }),
];

interface TaskJson {
  name?: string; friendlyName?: string;
  version?: { Major?: number | string; Minor?: number | string; Patch?: number | string };
  inputs?: TaskInputDef[];
  OutputVariables?: { name: string }[];
  outputVariables?: { name: string }[];
  execution?: Record<string, { target?: string }>;
}

/** Finds a task by name and major version: built-ins first, then `<dir>/<Name>/task.json` in each task folder. */
export function findTask(name: string, major: number, taskDirs: string[], at: SourceLocation): TaskDef {
  const b = BUILTIN.find((t) => t.name.toLowerCase() === name.toLowerCase());
  if (b) {
    if (b.major !== major) throw new InputError(`${b.name}@${major}: the local runner provides ${b.name}@${b.major}`, at);
    return b;
  }
  const tried: string[] = [];
  for (const d of taskDirs) {
    for (const dir of [path.join(d, name), d]) {
      const file = path.join(dir, 'task.json');
      tried.push(file);
      if (!fs.existsSync(file)) continue;
      let tj: TaskJson;
      try {
        tj = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as TaskJson;
      } catch (e) {
        throw new InputError(`Invalid task.json: ${(e as Error).message}`, { file });
      }
      if ((tj.name ?? '').toLowerCase() !== name.toLowerCase()) continue;
      const maj = Number(tj.version?.Major ?? -1);
      if (maj !== major) throw new InputError(`${name}@${major} requested but ${file} is version ${maj}.x`, at, `Use ${name}@${maj} or package the matching version.`);
      const handler = Object.entries(tj.execution ?? {}).find(([k, v]) => /^node/i.test(k) && v.target);
      if (!handler) throw new InputError(`${name} has no Node handler in ${file}; only Node tasks can run locally`, at);
      return {
        name: tj.name ?? name,
        friendlyName: tj.friendlyName ?? name,
        version: `${tj.version?.Major}.${tj.version?.Minor ?? 0}.${tj.version?.Patch ?? 0}`,
        major: maj,
        inputs: tj.inputs ?? [],
        outputVariables: (tj.OutputVariables ?? tj.outputVariables ?? []).map((o) => o.name),
        dir,
        target: (handler[1].target as string).replace(/\$\(currentDirectory\)[\\/]?/i, ''),
      };
    }
  }
  throw new InputError(`Task ${name}@${major} not found`, at,
    `Run 'npm run package' to build dist/stage/tasks, or pass --task-dir. Looked in: ${taskDirs.join(', ') || '(no task folders)'}`);
}

/** Matches the YAML inputs to the task's inputs (by name or alias); returns the unknown keys. */
export function matchInputs(t: TaskDef, given: Record<string, string>): { byName: Map<TaskInputDef, string>; unknown: string[] } {
  const byName = new Map<TaskInputDef, string>();
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(given)) {
    const low = k.toLowerCase();
    const d = t.inputs.find((i) => i.name.toLowerCase() === low || (i.aliases ?? []).some((a) => a.toLowerCase() === low));
    if (d) byName.set(d, v);
    else unknown.push(k);
  }
  return { byName, unknown };
}

export async function runTaskStep(job: JobRuntime, step: Extract<Step, { kind: 'task' }>, session: StepSession): Promise<StepOutcome> {
  const run = job.run;
  const t = findTask(step.task, step.major, run.taskDirs, step.loc);
  const { byName } = matchInputs(t, step.inputs);
  session.print('==============================================================================');
  session.print(`Task         : ${t.friendlyName}`);
  session.print(`Version      : ${t.version}`);
  session.print('==============================================================================');
  const values: Record<string, string> = {};
  const inputEnv: Record<string, string> = {};
  const endpoints: Record<string, string> = {};
  for (const d of t.inputs) {
    let v = job.vars.expand(byName.get(d) ?? d.defaultValue ?? '');
    if (d.type?.toLowerCase().startsWith('connectedservice') && v.trim()) {
      const expected = d.type.split(':')[1];
      const yamlKey = Object.keys(step.inputs).find((k) => [d.name, ...(d.aliases ?? [])].some((n) => n.toLowerCase() === k.toLowerCase()));
      const at = (yamlKey && step.inputLocs[yamlKey]) || step.loc;
      const c = run.connections.resolve(v.trim(), expected, at);
      for (const s of connectionSecrets(c)) run.masker.add(s);
      Object.assign(endpoints, endpointEnv(c));
      v = c.id;
    }
    values[d.name.toLowerCase()] = v;
    inputEnv[`INPUT_${envName(d.name)}`] = v;
  }
  if (t.builtin) return t.builtin(job, values, step, session);
  for (const o of t.outputVariables) session.declaredOutputs.add(o.toLowerCase());
  const env = { ...baseEnv(job), ...job.vars.toEnv({ includeSecretsAsSecretEnv: true }), ...inputEnv, ...endpoints };
  for (const [k, v] of Object.entries(step.env)) env[k] = job.vars.expand(v);
  const cwd = job.vars.value('System.DefaultWorkingDirectory') ?? run.repoRoot;
  const entry = path.join(t.dir as string, t.target as string);
  if (!fs.existsSync(entry)) return { result: 'Failed', message: `Task entry ${entry} not found (run 'npm run package')` };
  const timeoutMs = stepTimeoutMs(job, step.timeoutMinutes);
  const r = await runStepProcess(run.nodePath, [entry], { cwd, env, timeoutMs, onLine: (l, stream) => session.onLine(l, stream) });
  if (r.timedOut) return { result: 'Failed', message: `The task timed out after ${Math.round((timeoutMs ?? 0) / 1000)}s` };
  if (r.code !== 0) return { result: 'Failed', message: session.completeMessage ?? `${t.name} exited with code ${r.code}` };
  return { result: 'Succeeded' };
}
