import * as fs from 'fs';
import * as path from 'path';
import { LoggingCommand, parseLoggingCommand, propTrue } from './logging-commands';
import { Result, copyInto, emit, JobRuntime, safeName } from './runtime';
import { Step } from './model';
import { collectJUnit } from './steps/test-results';

/**
 * One step's output stream: prints lines (masked) and applies `##vso[...]` logging
 * commands the way the agent does — variables, outputs, secrets, issues, result,
 * summaries, attachments, artifacts and test results.
 */
export class StepSession {
  /** Set by ##vso[task.complete result=…]. */
  completeResult?: Result;
  completeMessage?: string;
  warnings = 0;
  errors = 0;
  stderrLines = 0;
  /** Variables the task declares as outputs in task.json (outputs even without isOutput=true). */
  declaredOutputs = new Set<string>();

  constructor(readonly job: JobRuntime, readonly step: Step, readonly index: number) {}

  print(line: string): void {
    emit(this.job.run, line);
  }

  onLine(line: string, stream: 'stdout' | 'stderr'): void {
    if (stream === 'stderr') this.stderrLines++;
    const cmd = line.includes('##vso[') ? parseLoggingCommand(line) : undefined;
    if (!cmd) { this.print(line); return; }
    try {
      this.apply(cmd);
    } catch (e) {
      this.warn(`Could not process ${cmd.command}: ${(e as Error).message}`);
    }
  }

  warn(message: string): void { this.warnings++; this.print(`##[warning]${message}`); }
  error(message: string): void { this.errors++; this.print(`##[error]${message}`); }

  private apply(cmd: LoggingCommand): void {
    const p = cmd.properties;
    const run = this.job.run;
    switch (cmd.command) {
      case 'task.setvariable': return this.setVariable(p.variable, cmd.message, propTrue(p.issecret), propTrue(p.isoutput), propTrue(p.isreadonly));
      case 'task.setsecret':
        run.masker.add(cmd.message);
        return;
      case 'task.logissue': case 'task.issue':
        if ((p.type ?? '').toLowerCase() === 'error') this.error(cmd.message);
        else this.warn(cmd.message);
        return;
      case 'task.complete': {
        const r = (p.result ?? 'Succeeded').toLowerCase();
        this.completeResult = r === 'failed' ? 'Failed' : r === 'succeededwithissues' ? 'SucceededWithIssues' : 'Succeeded';
        if (cmd.message) this.completeMessage = cmd.message;
        // Keep the first failure: a later "Succeeded" must not hide it.
        return;
      }
      case 'task.setprogress':
        if (run.debug) this.print(`##[debug]progress ${p.value ?? '?'}% ${cmd.message}`);
        return;
      case 'task.debug':
        if (run.debug) this.print(`##[debug]${cmd.message}`);
        return;
      case 'task.uploadsummary': {
        const src = this.existing(cmd.message, 'summary');
        if (src) run.summaries.push(copyInto(src, run.folder.summaries, `${this.prefix()}-${path.basename(src)}`));
        return;
      }
      case 'task.addattachment': {
        const src = this.existing(cmd.message, 'attachment');
        if (src) run.attachments.push(copyInto(src, path.join(run.folder.attachments, safeName(p.type ?? 'attachment')), safeName(p.name ?? path.basename(src))));
        return;
      }
      case 'task.uploadfile': {
        const src = this.existing(cmd.message, 'file');
        if (src) copyInto(src, path.join(run.folder.logs, 'files'), `${this.prefix()}-${path.basename(src)}`);
        return;
      }
      case 'build.uploadlog': {
        const src = this.existing(cmd.message, 'log');
        if (src) copyInto(src, path.join(run.folder.logs, 'uploaded'), `${this.prefix()}-${path.basename(src)}`);
        return;
      }
      case 'task.prependpath':
        this.job.prependPath.unshift(cmd.message.trim());
        return;
      case 'artifact.upload': {
        const src = this.existing(cmd.message, 'artifact');
        const name = p.artifactname;
        if (src && name) copyInto(src, path.join(run.folder.artifacts, safeName(name), p.containerfolder ? safeName(p.containerfolder) : ''));
        return;
      }
      case 'build.updatebuildnumber':
        this.job.vars.set('Build.BuildNumber', cmd.message, { force: true });
        this.print(`Build number is now ${cmd.message}`);
        return;
      case 'build.addbuildtag':
        run.tags.push(cmd.message);
        return;
      case 'results.publish': {
        const files = (p.resultfiles ?? '').split(',').map((f) => f.trim()).filter(Boolean);
        const type = (p.type ?? 'JUnit').toLowerCase();
        if (type !== 'junit') { this.warn(`Test results of type ${p.type} are not collected locally (JUnit only)`); return; }
        run.testRuns.push(collectJUnit(files, p.runtitle || this.step.displayName, this.job, this));
        return;
      }
      case 'task.settaskvariable': case 'task.setendpoint': case 'task.logdetail': case 'codecoverage.publish': case 'codecoverage.enable':
      case 'artifact.associate': case 'release.updatereleasename':
        if (run.debug) this.print(`##[debug]${cmd.command} is ignored by the local runner`);
        return;
      default:
        this.warn(`Unknown logging command ##vso[${cmd.command}] ignored`);
    }
  }

  private setVariable(name: string | undefined, value: string, secret: boolean, isOutput: boolean, readonly: boolean): void {
    if (!name) { this.warn('##vso[task.setvariable] without variable='); return; }
    const vars = this.job.vars;
    if (secret) this.job.run.masker.add(value);
    const stepName = this.step.name;
    const output = isOutput || this.declaredOutputs.has(name.toLowerCase());
    if (!output || !isOutput) {
      if (!vars.set(name, value, { secret, readonly })) { this.warn(`Variable '${name}' is read-only; it was not changed`); return; }
    }
    if (output) {
      if (!stepName) {
        if (isOutput) this.warn(`Output variable '${name}' is set by a step without name: — nothing can reference it`);
        return;
      }
      vars.set(`${stepName}.${name}`, value, { secret, readonly });
      this.job.outputs[`${stepName}.${name}`] = value;
      if (this.job.job.deployment) this.job.outputs[`${this.job.job.name}.${stepName}.${name}`] = value;
    }
  }

  private existing(file: string, what: string): string | undefined {
    const f = file.trim();
    const abs = path.isAbsolute(f) ? f : path.resolve(this.job.vars.value('System.DefaultWorkingDirectory') ?? '.', f);
    if (!f || !fs.existsSync(abs)) { this.warn(`The ${what} file '${f}' does not exist`); return undefined; }
    return abs;
  }

  private prefix(): string {
    return safeName(`${this.job.stage.name}.${this.job.job.name}.${this.index + 1}`);
  }
}
