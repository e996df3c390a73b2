import { Command, CliContext, parseOptions, requireOption } from '../command';
import { InputError } from '../../shared/core/errors';
import { spawnRunner } from '../../shared/core/exec';
import { BasicAuthProvider } from '../../shared/auth/generic';
import { RegistryAuthProvider } from '../../shared/auth/provider';
import { buildSolution } from '../../shared/docker/run-build';
import { pushSolution } from '../../shared/registry/run-push';

/** `edgeops modules build|push`: the same core as the IoTEdgeBuildModuleImages / IoTEdgePushModuleImages tasks. */

/** Options build and push share: the solution, which modules, and a registry login. */
const common = {
  template: { type: 'string' }, platform: { type: 'string' }, results: { type: 'string' }, modules: { type: 'string' },
  'bypass-modules': { type: 'string' }, registry: { type: 'string' }, username: { type: 'string' }, 'password-stdin': { type: 'boolean' },
} as const;

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

async function authFrom(cmd: Command, ctx: CliContext, registry: string | undefined, username: string | undefined, passwordStdin: boolean | undefined): Promise<RegistryAuthProvider | undefined> {
  if (!username && !passwordStdin) return undefined;
  if (!registry) throw new InputError(`--username/--password-stdin need --registry\nUsage: ${cmd.usage}`);
  if (!username) throw new InputError(`--password-stdin needs --username\nUsage: ${cmd.usage}`);
  if (!passwordStdin) throw new InputError('Pass the password on standard input with --password-stdin (never as an argument).');
  const password = await ctx.readStdin();
  if (!password) throw new InputError('--password-stdin: nothing was read from standard input.');
  ctx.log.setSecret(password);
  return new BasicAuthProvider(registry, username, password);
}

const build: Command = {
  path: ['modules', 'build'],
  summary: 'Build (or reuse unchanged) module images for one or more platforms',
  usage: 'edgeops modules build --template <deployment.template.json> --platform <p>[,<p>…] [--results <file>] [--modules a,b] '
    + '[--bypass-modules a,b] [--force] [--concurrency N] [--registry host[:port] [--username U --password-stdin]]',
  async run(ctx) {
    const { values } = parseOptions(build, ctx.argv, { ...common, force: { type: 'boolean' }, concurrency: { type: 'string' } });
    const concurrency = values.concurrency ? Number(values.concurrency) : 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new InputError(`--concurrency must be a positive integer, got "${values.concurrency}"`);
    const auth = await authFrom(build, ctx, values.registry, values.username, values['password-stdin']);
    const { results } = await buildSolution({
      templatePath: requireOption(build, values.template, 'template'),
      platforms: list(requireOption(build, values.platform, 'platform')),
      modules: list(values.modules),
      bypassModules: values['bypass-modules'] !== undefined ? list(values['bypass-modules']) : undefined,
      runner: spawnRunner, logger: ctx.log, incremental: !values.force, concurrency, resultsPath: values.results,
      registry: values.registry ? { address: values.registry, auth } : undefined,
      revision: process.env.BUILD_SOURCEVERSION, source: process.env.BUILD_REPOSITORY_URI,
    });
    for (const i of results.images) ctx.log.info(`${i.status.padEnd(6)} ${i.tag}  ${i.imageId.slice(0, 19)}  ${(i.durationMs / 1000).toFixed(1)}s`);
    const built = results.images.filter((i) => i.status === 'built').length;
    ctx.log.info(`${built} built, ${results.images.length - built} reused${values.results ? `; results in ${values.results}` : ''}`);
    return 0;
  },
};

const push: Command = {
  path: ['modules', 'push'],
  summary: 'Push module images a registry lacks and record their manifest digests',
  usage: 'edgeops modules push --template <deployment.template.json> --platform <p>[,<p>…] --registry <host[:port]> '
    + '[--username U --password-stdin] [--results <file>] [--build-results <file>] [--modules a,b] [--bypass-modules a,b]',
  async run(ctx) {
    const { values } = parseOptions(push, ctx.argv, { ...common, 'build-results': { type: 'string' } });
    const registry = requireOption(push, values.registry, 'registry');
    const auth = await authFrom(push, ctx, registry, values.username, values['password-stdin']);
    const results = await pushSolution({
      templatePath: requireOption(push, values.template, 'template'),
      platforms: list(requireOption(push, values.platform, 'platform')),
      registry, auth, modules: list(values.modules),
      bypassModules: values['bypass-modules'] !== undefined ? list(values['bypass-modules']) : undefined,
      runner: spawnRunner, logger: ctx.log, resultsPath: values.results, buildResultsPath: values['build-results'],
    });
    for (const i of results.images) ctx.log.info(`${i.pushed ? 'pushed ' : 'present'} ${i.tag}@${i.digest}`);
    const pushed = results.images.filter((i) => i.pushed).length;
    ctx.log.info(`${pushed} pushed, ${results.images.length - pushed} already in ${results.registry}${values.results ? `; results in ${values.results}` : ''}`);
    return 0;
  },
};

export const modulesCommands: Command[] = [build, push];
