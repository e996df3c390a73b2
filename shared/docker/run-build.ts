import { CommandRunner } from '../core/exec';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { discoverModules } from '../modules';
import { ModuleBuildSpec } from '../modules/types';
import { RegistryClient } from '../registry/client';
import { RegistryAuthProvider } from '../auth/provider';
import { BuildResults } from './build-results';
import { BuildOptions, buildImages } from './build';
import { DockerTool, detectDockerTool } from './cli-detect';
import { ensureDaemon } from './daemon';
import { parsePlatforms } from './platforms';

/** Everything `edgeops modules build` and IoTEdgeBuildModuleImages share: discover → detect docker → build. */
export interface SolutionBuildRequest {
  templatePath: string;
  platforms: string[];
  /** Only these modules (folder or manifest module names); empty = all. */
  modules?: string[];
  bypassModules?: string[];
  env?: NodeJS.ProcessEnv;
  runner: CommandRunner;
  logger: Logger;
  incremental?: boolean;
  concurrency?: number;
  resultsPath?: string;
  source?: string;
  revision?: string;
  /** Registry that may already hold unchanged images. */
  registry?: { address: string; auth?: RegistryAuthProvider };
  onImage?: BuildOptions['onImage'];
  /** PATH to search for docker clients (default process.env.PATH). */
  path?: string;
}

export function filterSpecs(specs: ModuleBuildSpec[], names: string[] | undefined): ModuleBuildSpec[] {
  if (!names || names.length === 0) return specs;
  const known = new Set(specs.flatMap((s) => [s.module.folder, ...s.manifestModuleNames]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) throw new InputError(`Unknown module(s): ${unknown.join(', ')}. Known: ${[...known].sort().join(', ')}.`, { field: 'modules' });
  return specs.filter((s) => names.includes(s.module.folder) || s.manifestModuleNames.some((n) => names.includes(n)));
}

export async function prepareDocker(runner: CommandRunner, logger: Logger, envPath?: string): Promise<DockerTool> {
  const docker = await detectDockerTool(runner, envPath);
  logger.info(`Docker client ${docker.path} ${docker.version}, builder: ${docker.builder}`
    + (docker.candidates.length > 1 ? ` (clients on PATH: ${docker.candidates.map((c) => `${c.path} ${c.version}${c.buildx ? ' +buildx' : ''}`).join(', ')})` : ''));
  const server = await ensureDaemon(runner, docker.path);
  logger.debug(`Docker daemon ${server}`);
  return docker;
}

export async function buildSolution(req: SolutionBuildRequest): Promise<{ results: BuildResults; docker: DockerTool; specs: ModuleBuildSpec[] }> {
  const platforms = parsePlatforms(req.platforms);
  const found = discoverModules(req.templatePath, { platforms, env: req.env, bypassModules: req.bypassModules, log: req.logger });
  const specs = filterSpecs(found.specs, req.modules);
  if (specs.length === 0) req.logger.warn(`No module images to build in ${req.templatePath} for ${platforms.join(', ')}.`);
  const docker = await prepareDocker(req.runner, req.logger, req.path);
  let registry: RegistryClient | undefined;
  if (req.registry) {
    const login = req.registry.auth ? await req.registry.auth.getLogin() : undefined;
    registry = new RegistryClient({ address: req.registry.address, logger: req.logger, credentials: login && { username: login.username, password: login.password } });
  }
  const results = await buildImages(specs, {
    runner: req.runner, docker, logger: req.logger, incremental: req.incremental, concurrency: req.concurrency, registry,
    source: req.source, revision: req.revision, resultsPath: req.resultsPath, onImage: req.onImage,
  });
  return { results, docker, specs };
}
