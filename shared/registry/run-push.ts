import * as fs from 'fs';
import { CommandRunner } from '../core/exec';
import { Logger } from '../core/logger';
import { readJsonFile } from '../core/json';
import { discoverModules } from '../modules';
import { RegistryAuthProvider } from '../auth/provider';
import { BuildResults } from '../docker/build-results';
import { parsePlatforms } from '../docker/platforms';
import { filterSpecs, prepareDocker } from '../docker/run-build';
import { PushItem, PushOptions, PushResultsFile, pushImages } from './push';

/** Everything `edgeops modules push` and IoTEdgePushModuleImages share: discover → docker → push. */
export interface SolutionPushRequest {
  templatePath: string;
  platforms: string[];
  registry: string;
  auth?: RegistryAuthProvider;
  modules?: string[];
  bypassModules?: string[];
  env?: NodeJS.ProcessEnv;
  runner: CommandRunner;
  logger: Logger;
  /** Build results of an earlier build step, when present (image ids of images reused from the registry). */
  buildResultsPath?: string;
  resultsPath?: string;
  concurrency?: number;
  onImage?: PushOptions['onImage'];
  path?: string;
}

function imageIdsFrom(file: string | undefined, logger: Logger): Map<string, string> {
  const ids = new Map<string, string>();
  if (!file || !fs.existsSync(file)) return ids;
  const doc = readJsonFile<BuildResults>(file);
  for (const img of doc.value.images ?? []) if (img?.tag && img.imageId) ids.set(img.tag, img.imageId);
  logger.debug(`Read ${ids.size} image ids from ${file}`);
  return ids;
}

export async function pushSolution(req: SolutionPushRequest): Promise<PushResultsFile> {
  const platforms = parsePlatforms(req.platforms);
  const found = discoverModules(req.templatePath, { platforms, env: req.env, bypassModules: req.bypassModules, log: req.logger });
  const specs = filterSpecs(found.specs, req.modules);
  const ids = imageIdsFrom(req.buildResultsPath, req.logger);
  const items: PushItem[] = specs.map((s) => ({ module: s.module.folder, platform: s.platform, tag: s.tag, imageId: ids.get(s.tag) }));
  const docker = await prepareDocker(req.runner, req.logger, req.path);
  return pushImages(items, { runner: req.runner, docker: docker.path, logger: req.logger, registry: req.registry, auth: req.auth,
    concurrency: req.concurrency, resultsPath: req.resultsPath, onImage: req.onImage });
}
