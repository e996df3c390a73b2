import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../../shared/core/errors';
import { Command, parseOptions } from '../command';
import { Connections, loadConnections } from '../pipeline/connections';
import { loadPipeline, runPipeline } from '../pipeline/runner';
import { envName } from '../pipeline/variables';

/** `edgeops pipeline run|validate`: the local pipeline runner. */

function defaultFile(given: string | undefined): string {
  if (given) return given;
  for (const f of ['azure-pipelines.yml', 'azure-pipelines.yaml']) if (fs.existsSync(f)) return f;
  throw new InputError('No pipeline file given and no azure-pipelines.yml in the current folder');
}

function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InputError(`--${flag} expects name=value, got '${item}'`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

/** --secret name[=ENV_VAR]: the value comes from the environment, never from the command line. */
function secrets(list: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const [name, from = envName(item.split('=')[0])] = item.split('=');
    const v = process.env[from];
    if (v === undefined || v === '') throw new InputError(`--secret ${name}: environment variable ${from} is not set`);
    out[name] = v;
  }
  return out;
}

const runCommand: Command = {
  path: ['pipeline', 'run'],
  summary: 'Run an Azure Pipelines YAML locally (stages, jobs, scripts and the bundled tasks)',
  usage: 'edgeops pipeline run [file] [--stage S …] [--connections FILE] [--var name=value …] [--secret name[=ENV] …] '
    + '[--param name=value …] [--approve] [--runs-dir DIR] [--task-dir DIR …] [--debug]',
  async run(ctx) {
    const { values, positionals } = parseOptions(runCommand, ctx.argv, {
      stage: { type: 'string', multiple: true },
      connections: { type: 'string' },
      var: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true },
      approve: { type: 'boolean' },
      'runs-dir': { type: 'string' },
      'task-dir': { type: 'string', multiple: true },
      debug: { type: 'boolean' },
    }, true);
    if (positionals.length > 1) throw new InputError(`Only one pipeline file can be run at a time\nUsage: ${runCommand.usage}`);
    const sec = secrets(values.secret);
    for (const v of Object.values(sec)) ctx.log.setSecret(v);
    const connections = values.connections ? loadConnections(path.resolve(values.connections)) : Connections.empty();
    const result = await runPipeline({
      file: defaultFile(positionals[0]),
      stages: values.stage,
      connections,
      variables: pairs(values.var, 'var'),
      secrets: sec,
      parameters: pairs(values.param, 'param'),
      approve: !!values.approve,
      interactive: !!process.stdin.isTTY,
      runsDir: values['runs-dir'],
      taskDirs: values['task-dir']?.map((d) => path.resolve(d)),
      debug: !!values.debug,
      print: (l) => ctx.log.info(l),
    });
    return result.exitCode;
  },
};

const validateCommand: Command = {
  path: ['pipeline', 'validate'],
  summary: 'Check that a pipeline YAML can run locally, without running it',
  usage: 'edgeops pipeline validate [file] [--var name=value …] [--param name=value …]',
  async run(ctx) {
    const { values, positionals } = parseOptions(validateCommand, ctx.argv, {
      var: { type: 'string', multiple: true },
      param: { type: 'string', multiple: true },
    }, true);
    const file = defaultFile(positionals[0]);
    const { pipeline } = await loadPipeline({ file, variables: pairs(values.var, 'var'), parameters: pairs(values.param, 'param') });
    const jobs = pipeline.stages.reduce((n, s) => n + s.jobs.length, 0);
    ctx.log.info(`${file}: OK — ${pipeline.stages.length} stage(s), ${jobs} job(s)`);
    return 0;
  },
};

export const pipelineCommands: Command[] = [runCommand, validateCommand];
