import * as path from 'path';
import { AggregateInputError, EdgeOpsError, InputError } from '../../shared/core/errors';
import { writeJsonAtomic } from '../../shared/core/atomic-write';
import { SecretMasker } from '../../shared/core/logger';
import { createApprover, requireApprovalPossible } from './approvals';
import { connectionSecrets, Connections } from './connections';
import { evaluate, evaluateCondition, ExprContext, parseExpression, StatusContext, toStr } from './expressions';
import { Job, Pipeline, Stage, Step, VarDef } from './model';
import { buildPipeline } from './model';
import { formatBuildNumber, gitInfo, predefinedVariables } from './predefined';
import { formatDuration, renderTable, renderTests, rollUp, TimelineRecord } from './report';
import { createRunFolder, nextRunNumber, resetFolder, RunFolder, RunLogFiles } from './run-folder';
import { emit, JobRuntime, Result, RunRuntime, safeName, StepOutcome } from './runtime';
import { readYamlFile } from './source';
import { StepSession } from './step-session';
import { downloadArtifacts, publishArtifact } from './steps/artifacts';
import { runScript } from './steps/script-step';
import { findTask, matchInputs, runTaskStep } from './steps/task-step';
import { expandPipeline } from './template';
import { runtimeExpression, VariableStore } from './variables';

export interface RunPipelineOptions {
  file: string;
  runsDir?: string;
  stages?: string[];
  variables?: Record<string, string>;
  secrets?: Record<string, string>;
  parameters?: Record<string, string>;
  connections?: Connections;
  approve?: boolean;
  interactive?: boolean;
  ask?: (question: string) => Promise<string>;
  /** Folders holding <TaskName>/task.json; default <repo>/dist/stage/tasks. */
  taskDirs?: string[];
  nodePath?: string;
  print?: (line: string) => void;
  debug?: boolean;
}

export interface PipelineRunResult {
  result: Result;
  runNumber: number;
  runFolder: string;
  timeline: TimelineRecord[];
  exitCode: number;
}

interface DepResult { result: Result; outputs: Record<string, string>; notSelected?: boolean }
interface StageState extends DepResult { jobs: Record<string, DepResult> }

/** Loads, expands and validates a pipeline without running it (also the first phase of a run). */
export async function loadPipeline(opts: RunPipelineOptions): Promise<{ pipeline: Pipeline; repoRoot: string; vars: Record<string, string>; runNumber: number; runsDir: string }> {
  const file = path.resolve(opts.file);
  const git = await gitInfo(path.dirname(file));
  const runsDir = path.resolve(opts.runsDir ?? path.join(git.root, '.edgeops', 'runs'));
  const runNumber = nextRunNumber(runsDir);
  const root = path.join(runsDir, String(runNumber));
  const work = path.join(root, 'work');
  const raw = readYamlFile(file);
  const rawName = raw && typeof raw === 'object' && !Array.isArray(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const vars = predefinedVariables({
    git, runNumber, pipelineFile: file, pipelineName: rawName,
    paths: { runRoot: root, work, temp: path.join(work, '_temp'), staging: path.join(work, 'a'), binaries: path.join(work, 'b'), testResults: path.join(work, 'TestResults') },
  });
  const compileVars = { ...vars, ...(opts.variables ?? {}) };
  const expanded = expandPipeline(raw, file, git.root, opts.parameters ?? {}, compileVars, opts.variables ?? {});
  const pipeline = buildPipeline(expanded.root, file);
  if (pipeline.name) vars['Build.BuildNumber'] = formatBuildNumber(pipeline.name, runNumber, compileVars);
  return { pipeline, repoRoot: git.root, vars, runNumber, runsDir };
}

function stageDeps(p: Pipeline, s: Stage): string[] {
  if (s.dependsOn !== undefined) return s.dependsOn;
  const i = p.stages.indexOf(s);
  return i > 0 ? [p.stages[i - 1].name] : [];
}

/** Dependency order, YAML order among equals. */
function order<T extends { name: string }>(items: T[], deps: (t: T) => string[]): T[] {
  const done = new Set<string>();
  const out: T[] = [];
  while (out.length < items.length) {
    const next = items.find((t) => !done.has(t.name.toLowerCase()) && deps(t).every((d) => done.has(d.toLowerCase())));
    if (!next) break; // cycles are rejected by validation
    done.add(next.name.toLowerCase());
    out.push(next);
  }
  return out;
}

function lookup<T>(m: Record<string, T>, name: string): T | undefined {
  const k = Object.keys(m).find((x) => x.toLowerCase() === name.toLowerCase());
  return k === undefined ? undefined : m[k];
}

/** Everything that can be checked before the first step runs. */
function preflight(p: Pipeline, selected: Set<string>, opts: RunPipelineOptions, taskDirs: string[], connections: Connections, warn: (m: string) => void): string[] {
  const errors: EdgeOpsError[] = [];
  const environments: string[] = [];
  const tryAt = (fn: () => void, loc?: object) => {
    try { fn(); } catch (e) {
      if (e instanceof InputError && loc && !e.location) errors.push(new InputError(e.message, loc)); else if (e instanceof EdgeOpsError) errors.push(e); else throw e;
    }
  };
  const exprCheck = (src: string | undefined, loc: object) => { if (src) tryAt(() => parseExpression(src), loc); };
  const varsCheck = (vs: VarDef[]) => { for (const v of vs) { const e = runtimeExpression(v.value); if (e !== undefined) exprCheck(e, v.loc); } };
  varsCheck(p.variables);
  for (const s of p.stages) {
    if (!selected.has(s.name.toLowerCase())) continue;
    exprCheck(s.condition, { ...s.loc, field: `${s.path}.condition` });
    varsCheck(s.variables);
    for (const j of s.jobs) {
      exprCheck(j.condition, { ...j.loc, field: `${j.path}.condition` });
      varsCheck(j.variables);
      if (j.deployment && !environments.includes(j.deployment.environment)) environments.push(j.deployment.environment);
      for (const st of [...j.steps, ...(j.deployment?.onSuccess ?? []), ...(j.deployment?.onFailure ?? [])]) {
        exprCheck(st.condition, { ...st.loc, field: `${st.path}.condition` });
        if (st.kind !== 'task') continue;
        tryAt(() => {
          const t = findTask(st.task, st.major, taskDirs, { ...st.loc, field: `${st.path}.task` });
          const { byName, unknown } = matchInputs(t, st.inputs);
          for (const u of unknown) warn(`${st.path}.inputs.${u}: ${t.name} has no input '${u}' (ignored, as the agent does)`);
          for (const [d, v] of byName) {
            if (d.type?.toLowerCase().startsWith('connectedservice') && v.trim() && !v.includes('$(')) {
              const key = Object.keys(st.inputs).find((k) => [d.name, ...(d.aliases ?? [])].some((n) => n.toLowerCase() === k.toLowerCase())) ?? d.name;
              connections.resolve(v.trim(), d.type.split(':')[1], st.inputLocs[key] ?? st.loc);
            }
          }
        });
      }
    }
  }
  tryAt(() => requireApprovalPossible(environments, !!opts.approve, !!opts.interactive));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateInputError(`${errors.length} problems found before running:`, errors);
  return environments;
}

export async function runPipeline(opts: RunPipelineOptions): Promise<PipelineRunResult> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + '\n'));
  const loaded = await loadPipeline(opts);
  const { pipeline: p, repoRoot } = loaded;
  const connections = opts.connections ?? Connections.empty();
  const taskDirs = opts.taskDirs ?? [path.join(repoRoot, 'dist', 'stage', 'tasks')];
  const selected = new Set<string>();
  for (const want of opts.stages ?? []) {
    const s = p.stages.find((x) => x.name.toLowerCase() === want.toLowerCase());
    if (!s) throw new InputError(`--stage ${want}: no such stage in ${p.file} (stages: ${p.stages.map((x) => x.name).join(', ')})`);
    selected.add(s.name.toLowerCase());
  }
  if (selected.size === 0) for (const s of p.stages) selected.add(s.name.toLowerCase());
  const masker = new SecretMasker();
  for (const v of Object.values(opts.secrets ?? {})) masker.add(v);
  for (const n of connections.names()) {
    try { for (const s of connectionSecrets(connections.resolve(n, undefined, {}))) masker.add(s); } catch { /* reported when used */ }
  }
  const warnings: string[] = [];
  preflight(p, selected, opts, taskDirs, connections, (m) => warnings.push(m));

  const folder = createRunFolder(loaded.runsDir, loaded.runNumber);
  if (folder.number !== loaded.runNumber) {
    // Another run claimed the number meanwhile: re-point the paths that contain it.
    for (const [k, v] of Object.entries(loaded.vars)) loaded.vars[k] = v.split(path.join(loaded.runsDir, String(loaded.runNumber))).join(folder.root);
    loaded.vars['Build.BuildId'] = String(folder.number);
  }
  const files = new RunLogFiles(folder, masker);
  const run: RunRuntime = {
    folder, files, masker, print: (l) => print(l), connections, repoRoot, taskDirs,
    nodePath: opts.nodePath ?? process.execPath, debug: !!opts.debug, testRuns: [], summaries: [], attachments: [], tags: [],
  };
  const started = Date.now();
  emit(run, `Run ${folder.number} of ${path.relative(process.cwd(), p.file) || p.file} — build ${loaded.vars['Build.BuildNumber']} — history in ${folder.root}`);
  for (const w of warnings) emit(run, `##[warning]${w}`);

  const approver = createApprover({ approveAll: !!opts.approve, ask: opts.ask });
  const pipelineVars = new VariableStore();
  for (const [k, v] of Object.entries(loaded.vars)) pipelineVars.set(k, v);
  const overrides = (store: VariableStore) => {
    for (const [k, v] of Object.entries(opts.variables ?? {})) store.set(k, v, { force: true });
    for (const [k, v] of Object.entries(opts.secrets ?? {})) store.set(k, v, { secret: true, force: true });
  };
  applyVariables(pipelineVars, p.variables, { roots: { variables: pipelineVars.toRecord() } });
  overrides(pipelineVars);

  const stageStates: Record<string, StageState> = {};
  const timeline: TimelineRecord[] = [];
  const stageList = order(p.stages, (s) => stageDeps(p, s));
  try {
    for (const stage of stageList) {
      const rec: TimelineRecord = { kind: 'stage', name: stage.name, displayName: stage.name === '__default' ? '(pipeline)' : stage.displayName, result: 'Skipped', durationMs: 0, children: [] };
      timeline.push(rec);
      const deps = stageDeps(p, stage);
      if (!selected.has(stage.name.toLowerCase())) {
        rec.note = 'not selected';
        stageStates[stage.name] = { result: 'Skipped', outputs: {}, jobs: {}, notSelected: true };
        for (const j of stage.jobs) rec.children.push(skippedJob(j, 'not selected'));
        continue;
      }
      const depStates = Object.fromEntries(deps.map((d) => [d, lookup(stageStates, d) as StageState]));
      const roots = {
        variables: pipelineVars.toRecord(),
        dependencies: Object.fromEntries(Object.entries(depStates).map(([n, s]) => [n, { result: s.result, outputs: s.outputs }])),
        stageDependencies: Object.fromEntries(Object.entries(depStates).map(([n, s]) => [n, s.jobs])),
      };
      const stageStart = Date.now();
      emit(run, '');
      emit(run, `================ Stage: ${rec.displayName} ================`);
      const go = conditionHolds(run, stage.condition, { roots, status: depStatus(deps, depStates) }, `stage ${stage.name}`);
      if (!go) {
        rec.note = 'condition false';
        emit(run, `Skipping stage ${stage.name}: condition ${stage.condition ?? 'succeeded()'} is false`);
        stageStates[stage.name] = { result: 'Skipped', outputs: {}, jobs: {} };
        for (const j of stage.jobs) rec.children.push(skippedJob(j, 'stage skipped'));
        continue;
      }
      const stageVars = pipelineVars.clone();
      stageVars.set('System.StageName', stage.name, { force: true });
      stageVars.set('System.StageDisplayName', stage.displayName, { force: true });
      stageVars.set('System.StageAttempt', '1', { force: true });
      applyVariables(stageVars, stage.variables, { roots: { ...roots, variables: stageVars.toRecord() } });
      overrides(stageVars);
      const jobStates: Record<string, DepResult> = {};
      for (const job of order(stage.jobs, (j) => j.dependsOn ?? [])) {
        const jdeps = job.dependsOn ?? [];
        const jdepStates = Object.fromEntries(jdeps.map((d) => [d, lookup(jobStates, d) as DepResult]));
        const jroots = {
          variables: stageVars.toRecord(),
          dependencies: jdepStates,
          stageDependencies: roots.stageDependencies,
        };
        const jrec = await runJob(run, stage, job, stageVars, jroots, depStatus(jdeps, jdepStates), overrides, approver);
        rec.children.push(jrec.record);
        jobStates[job.name] = { result: jrec.record.result, outputs: jrec.outputs };
      }
      rec.result = rollUp(rec.children.map((c) => c.result));
      rec.durationMs = Date.now() - stageStart;
      const outputs: Record<string, string> = {};
      for (const [jn, js] of Object.entries(jobStates)) for (const [k, v] of Object.entries(js.outputs)) outputs[`${jn}.${k}`] = v;
      stageStates[stage.name] = { result: rec.result, outputs, jobs: jobStates };
    }
  } finally {
    files.endStep();
  }
  const ran = timeline.filter((t) => t.note !== 'not selected');
  const result = rollUp(ran.map((t) => t.result));
  const finalResult: Result = result === 'Skipped' ? 'Succeeded' : result;
  emit(run, '');
  for (const line of renderTable(timeline).split('\n')) emit(run, line);
  for (const line of renderTests(run.testRuns)) emit(run, line);
  emit(run, `Run ${folder.number}: ${finalResult} in ${formatDuration(Date.now() - started)} — ${folder.root}`);
  writeJsonAtomic(path.join(folder.root, 'run.json'), {
    number: folder.number, file: p.file, buildNumber: loaded.vars['Build.BuildNumber'], result: finalResult,
    startedAt: new Date(started).toISOString(), durationMs: Date.now() - started,
    stages: timeline, tests: run.testRuns, summaries: run.summaries, attachments: run.attachments, tags: run.tags,
  });
  files.close();
  return { result: finalResult, runNumber: folder.number, runFolder: folder.root, timeline, exitCode: finalResult === 'Failed' || finalResult === 'Canceled' ? 1 : 0 };
}

function skippedJob(j: Job, note: string): TimelineRecord {
  return { kind: 'job', name: j.name, displayName: j.displayName, result: 'Skipped', durationMs: 0, note, children: [] };
}

function depStatus(deps: string[], states: Record<string, DepResult | undefined>): StatusContext {
  return {
    dependencies: deps,
    canceled: false,
    // A stage left out with --stage counts as done, so the selected ones still run.
    resultOf: (n) => {
      const s = lookup(states as Record<string, DepResult>, n);
      if (!s) return undefined;
      return s.notSelected ? 'Succeeded' : s.result;
    },
  };
}

function conditionHolds(run: RunRuntime, condition: string | undefined, ctx: ExprContext, what: string): boolean {
  try {
    return evaluateCondition(condition ?? 'succeeded()', ctx);
  } catch (e) {
    if (e instanceof InputError) { emit(run, `##[error]${what}: condition '${condition}': ${e.message}`); return false; }
    throw e;
  }
}

/** Adds a scope's variables; `$[ ]` values are evaluated now, in the scope's context. */
function applyVariables(store: VariableStore, defs: VarDef[], ctx: ExprContext): void {
  for (const d of defs) {
    const rt = runtimeExpression(d.value);
    let value = d.value;
    if (rt !== undefined) {
      try {
        value = toStr(evaluate(rt, { ...ctx, roots: { ...ctx.roots, variables: store.toRecord() } }));
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`Variable '${d.name}': ${e.message}`, d.loc);
        throw e;
      }
    }
    if (!store.set(d.name, value, { readonly: d.readonly })) throw new InputError(`Variable '${d.name}' is read-only and cannot be redefined`, d.loc);
  }
}

async function runJob(
  run: RunRuntime, stage: Stage, job: Job, stageVars: VariableStore, roots: Record<string, unknown>, status: StatusContext,
  overrides: (s: VariableStore) => void, approver: ReturnType<typeof createApprover>,
): Promise<{ record: TimelineRecord; outputs: Record<string, string> }> {
  const rec: TimelineRecord = { kind: 'job', name: job.name, displayName: job.displayName, result: 'Skipped', durationMs: 0, children: [] };
  emit(run, '');
  emit(run, `---------------- Job: ${job.displayName}${job.deployment ? ` (deployment to ${job.deployment.environment})` : ''} ----------------`);
  if (!conditionHolds(run, job.condition, { roots, status }, `job ${job.name}`)) {
    rec.note = 'condition false';
    emit(run, `Skipping job ${job.name}: condition ${job.condition ?? 'succeeded()'} is false`);
    for (const s of allSteps(job)) rec.children.push({ kind: 'step', name: s.name ?? '', displayName: s.displayName, result: 'Skipped', durationMs: 0, children: [] });
    return { record: rec, outputs: {} };
  }
  const start = Date.now();
  const vars = stageVars.clone();
  const jobId = `${stage.name}.${job.name}`;
  for (const [k, v] of [['System.JobName', job.name], ['Agent.JobName', job.displayName], ['System.JobDisplayName', job.displayName],
    ['System.JobId', jobId], ['System.PhaseName', job.name], ['System.JobAttempt', '1'], ['Agent.JobStatus', 'Succeeded']]) vars.set(k, v, { force: true });
  if (job.deployment) {
    vars.set('Environment.Name', job.deployment.environment, { force: true });
    vars.set('Environment.ResourceName', job.deployment.resourceName ?? '', { force: true });
    vars.set('Strategy.Name', 'runOnce', { force: true });
  }
  const jr: JobRuntime = { run, stage, job, vars, outputs: {}, prependPath: [], deadline: job.timeoutMinutes ? start + job.timeoutMinutes * 60_000 : undefined };
  const finish = (result: Result, note?: string) => {
    rec.result = job.continueOnError && result === 'Failed' ? 'SucceededWithIssues' : result;
    rec.note = note ?? (rec.result !== result ? 'failed (continueOnError)' : undefined);
    rec.durationMs = Date.now() - start;
    return { record: rec, outputs: jr.outputs };
  };
  try {
    applyVariables(vars, job.variables, { roots: { ...roots, variables: vars.toRecord() } });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    emit(run, `##[error]${e.message}`);
    return finish('Failed', 'variables');
  }
  overrides(vars);
  for (const v of vars.all()) if (v.secret) run.masker.add(v.value);
  if (job.deployment) {
    const ok = await approver.approve(job.deployment.environment, stage.name, job.name);
    if (!ok) {
      emit(run, `##[error]Deployment to environment '${job.deployment.environment}' was not approved`);
      return finish('Failed', 'approval rejected');
    }
    emit(run, `Environment '${job.deployment.environment}' approved`);
  }
  resetFolder(run.folder.temp);
  resetFolder(run.folder.staging);

  let steps = job.steps;
  if (job.deployment && !steps.some((s) => s.hook === 'deploy' && s.kind === 'download')) {
    // runOnce injects "download all artifacts" at the start of the deploy hook.
    const at = Math.max(0, steps.findIndex((s) => s.hook === 'deploy'));
    const dl: Step = { kind: 'download', source: 'current', path: `${job.path}.strategy.runOnce.deploy`, loc: job.loc, displayName: 'Download artifacts',
      continueOnError: false, enabled: true, retryCount: 0, env: {}, hook: 'deploy' };
    steps = [...steps.slice(0, at), dl, ...steps.slice(at)];
  }
  const stepResults: Result[] = [];
  const jobStatus = (): Result => {
    const r = rollUp(stepResults.filter((x) => x !== 'Skipped'));
    return r === 'Skipped' ? 'Succeeded' : r;
  };
  const logDir = `${safeName(stage.name)}/${safeName(job.name)}`;
  let index = 0;
  const runList = async (list: Step[]) => {
    for (const step of list) {
      const r = await runStep(jr, step, index++, logDir, jobStatus);
      stepResults.push(r.result);
      rec.children.push(r);
      vars.set('Agent.JobStatus', jobStatus(), { force: true });
    }
  };
  await runList(steps);
  if (job.deployment) {
    const hooks = jobStatus() === 'Failed' ? job.deployment.onFailure : job.deployment.onSuccess;
    // Each lifecycle hook starts with a fresh "succeeded()" in the service (it is its own job there).
    const saved = stepResults.splice(0);
    await runList(hooks);
    stepResults.unshift(...saved);
  }
  run.files.endStep();
  const result = jobStatus();
  if (jr.deadline !== undefined && Date.now() > jr.deadline) return finish('Failed', `timed out after ${job.timeoutMinutes} min`);
  emit(run, `Job ${job.name}: ${result} (${formatDuration(Date.now() - start)})`);
  return finish(result);
}

function allSteps(job: Job): Step[] {
  return [...job.steps, ...(job.deployment?.onSuccess ?? []), ...(job.deployment?.onFailure ?? [])];
}

async function runStep(jr: JobRuntime, step: Step, index: number, logDir: string, jobStatus: () => Result): Promise<TimelineRecord> {
  const run = jr.run;
  const displayName = jr.vars.expand(step.displayName);
  const rec: TimelineRecord = { kind: 'step', name: step.name ?? '', displayName, result: 'Skipped', durationMs: 0, children: [] };
  if (!step.enabled) { rec.note = 'disabled'; return rec; }
  const status: StatusContext = { canceled: false, resultOf: (n) => (n === '' ? jobStatus() : undefined) };
  if (jr.deadline !== undefined && Date.now() > jr.deadline) { rec.note = 'job timed out'; return rec; }
  if (!conditionHolds(run, step.condition, { roots: { variables: jr.vars.toRecord() }, status }, `step ${displayName}`)) {
    rec.note = 'condition false';
    emit(run, `Skipping step '${displayName}': condition ${step.condition ?? 'succeeded()'} is false`);
    return rec;
  }
  run.files.startStep(`${logDir}/${String(index + 1).padStart(2, '0')}-${safeName(displayName)}.log`);
  emit(run, `##[section]Starting: ${displayName}`);
  const start = Date.now();
  let outcome: StepOutcome = { result: 'Failed' };
  let session: StepSession | undefined;
  for (let attempt = 0; attempt <= step.retryCount; attempt++) {
    if (attempt > 0) emit(run, `##[warning]Retrying '${displayName}' (attempt ${attempt + 1} of ${step.retryCount + 1})`);
    session = new StepSession(jr, step, index);
    try {
      outcome = await runStepKind(jr, step, session);
    } catch (e) {
      if (!(e instanceof EdgeOpsError)) throw e;
      outcome = { result: 'Failed', message: e.message };
    }
    if (session.completeResult === 'Failed') outcome = { result: 'Failed', message: outcome.message ?? session.completeMessage };
    else if (session.completeResult === 'SucceededWithIssues' && outcome.result === 'Succeeded') outcome = { result: 'SucceededWithIssues' };
    if (outcome.result !== 'Failed') break;
  }
  if (outcome.result === 'Failed') emit(run, `##[error]${outcome.message ?? session?.completeMessage ?? 'The step failed'}`);
  rec.result = outcome.result;
  if (outcome.result === 'Failed' && step.continueOnError) { rec.result = 'SucceededWithIssues'; rec.note = 'failed (continueOnError)'; }
  else if (outcome.result === 'Failed') rec.note = (outcome.message ?? '').split('\n')[0].slice(0, 80);
  rec.durationMs = Date.now() - start;
  emit(run, `##[section]Finishing: ${displayName} — ${rec.result} (${formatDuration(rec.durationMs)})`);
  run.files.endStep();
  return rec;
}

async function runStepKind(jr: JobRuntime, step: Step, session: StepSession): Promise<StepOutcome> {
  const v = jr.vars;
  switch (step.kind) {
    case 'script':
      return runScript(jr, { script: step.script, workingDirectory: step.workingDirectory, failOnStderr: step.failOnStderr, env: step.env, timeoutMinutes: step.timeoutMinutes }, session);
    case 'checkout':
      session.print(step.repo === 'none' ? 'checkout: none' : `checkout: self — using the working tree ${jr.run.repoRoot} as is`);
      return { result: 'Succeeded' };
    case 'publish':
      return publishArtifact(jr, v.expand(step.source), step.artifact === undefined ? undefined : v.expand(step.artifact), session);
    case 'download':
      if (step.source === 'none') { session.print('download: none'); return { result: 'Succeeded' }; }
      return downloadArtifacts(jr, {
        artifact: step.artifact === undefined ? undefined : v.expand(step.artifact),
        patterns: step.patterns === undefined ? undefined : v.expand(step.patterns),
        targetPath: step.targetPath === undefined ? undefined : v.expand(step.targetPath),
        shortcut: true,
      }, session);
    case 'task':
      return runTaskStep(jr, step, session);
  }
}

export type { RunFolder };
