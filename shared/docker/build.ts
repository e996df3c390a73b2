import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CommandRunner } from '../core/exec';
import { EdgeOpsError, ExternalError, InputError, describeError } from '../core/errors';
import { Logger } from '../core/logger';
import { writeJsonAtomic } from '../core/atomic-write';
import { ModuleBuildSpec } from '../modules/types';
import { RegistryClient } from '../registry/client';
import { checkEmulation, dockerfileRunsCommands } from './binfmt';
import { buildCommand } from './build-args';
import { parseBuildOptions } from './build-options';
import { BuilderKind, DockerTool } from './cli-detect';
import { judgeBaseImages } from './base-images';
import { contentHash } from './content-hash';
import { parseImageRef } from './image-ref';
import { inspectLocalImage } from './inspect';
import { CONTENT_HASH_LABEL, imageLabels } from './labels';
import { dockerPlatform } from './platforms';
import { mapBounded } from './pool';
import { BuildResults, BuiltImage, FailedImage } from './build-results';

export interface BuildOptions {
  runner: CommandRunner;
  docker: DockerTool;
  logger: Logger;
  incremental?: boolean;
  concurrency?: number;
  /** Also look for an image with the same content hash in this registry (its path without the tag's registry). */
  registry?: RegistryClient;
  source?: string;
  revision?: string;
  resultsPath?: string;
  /** Called after each image (progress reporting). */
  onImage?: (done: number, total: number, image: BuiltImage | FailedImage) => void;
  now?: () => Date;
  binfmtRoot?: string;
}

export class ModuleBuildError extends EdgeOpsError {
  constructor(readonly failed: FailedImage[], readonly results: BuildResults) {
    super('ModuleBuildFailed', `Build failed for ${failed.map((f) => `${f.module} (${f.platform})`).join(', ')}:\n`
      + failed.map((f) => `  - ${f.module} (${f.platform}): ${f.error}`).join('\n'));
  }
}

/** "amd64.debug" builds for amd64. */
export function basePlatform(spec: ModuleBuildSpec): string {
  return spec.basePlatform || spec.platform.replace(/\.debug$/, '');
}

interface Prepared { spec: ModuleBuildSpec; options: string[]; forceRebuild: boolean; hash: string }

/** Validates everything that can be validated before the first docker build (nothing is built on bad input). */
async function prepare(specs: ModuleBuildSpec[], o: BuildOptions): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const spec of specs) {
    const where = { file: spec.module.moduleJsonPath };
    dockerPlatform(basePlatform(spec), `image.tag.platforms.${spec.platform}`);
    if (!fs.existsSync(spec.dockerfile)) {
      throw new InputError(`Dockerfile not found for module ${spec.module.folder} (${spec.platform}): ${spec.dockerfile}`,
        { ...where, field: `image.tag.platforms.${spec.platform}` });
    }
    if (!fs.existsSync(spec.contextPath) || !fs.statSync(spec.contextPath).isDirectory()) {
      throw new InputError(`Build context not found for module ${spec.module.folder}: ${spec.contextPath}`, { ...where, field: 'image.contextPath' });
    }
    parseImageRef(spec.tag, { ...where, field: 'image.repository' });
    const parsed = parseBuildOptions(spec.buildOptions, where);
    const hash = await contentHash({ contextPath: spec.contextPath, dockerfile: spec.dockerfile, platform: spec.platform, buildOptions: parsed.args });
    out.push({ spec, options: parsed.args, forceRebuild: parsed.forceRebuild, hash });
  }
  checkEmulation(out.filter((p) => dockerfileRunsCommands(fs.readFileSync(p.spec.dockerfile, 'utf8')))
    .map((p) => ({ platform: basePlatform(p.spec), module: p.spec.module.folder })), { root: o.binfmtRoot });
  return out;
}

async function findInRegistry(o: BuildOptions, tag: string, hash: string): Promise<string | undefined> {
  if (!o.registry) return undefined;
  const ref = parseImageRef(tag);
  const img = await o.registry.getImage(ref.path, ref.tag);
  if (!img?.configDigest) return undefined;
  const labels = await o.registry.getConfigLabels(ref.path, img.configDigest);
  return labels[CONTENT_HASH_LABEL] === hash ? img.configDigest : undefined;
}

async function buildOne(p: Prepared, o: BuildOptions, tmp: string, index: number): Promise<BuiltImage> {
  const { spec } = p;
  const start = Date.now();
  const base = { module: spec.module.folder, platform: spec.platform, tag: spec.tag, contentHash: p.hash };
  if (o.incremental !== false && !p.forceRebuild) {
    const local = await inspectLocalImage(o.runner, o.docker.path, spec.tag);
    if (local?.contentHash === p.hash) {
      o.logger.info(`${spec.tag}: unchanged (content ${p.hash.slice(7, 19)}), reusing local image`);
      return { ...base, imageId: local.id, status: 'reused', reusedFrom: 'local', durationMs: Date.now() - start };
    }
    const remote = await findInRegistry(o, spec.tag, p.hash);
    if (remote) {
      o.logger.info(`${spec.tag}: unchanged, the registry already holds it`);
      return { ...base, imageId: remote, status: 'reused', reusedFrom: 'registry', durationMs: Date.now() - start };
    }
  }
  const iidFile = path.join(tmp, `iid-${index}`);
  const labels = imageLabels({ source: o.source, revision: o.revision, version: spec.module.version, created: (o.now ?? (() => new Date()))(),
    contentHash: p.hash, module: spec.module.folder, platform: spec.platform });
  const platform = dockerPlatform(basePlatform(spec));
  const prefix = `[${spec.module.folder}/${spec.platform}] `;
  const run = (builder: BuilderKind) => {
    const cmd = buildCommand({ builder, dockerPlatform: platform, tag: spec.tag, dockerfile: spec.dockerfile,
      contextPath: spec.contextPath, labels, options: p.options, iidFile });
    o.logger.info(`${spec.tag}: building ${spec.module.folder} for ${spec.platform} (${builder})`);
    return o.runner.run(o.docker.path, cmd.args, {
      env: { ...process.env, ...cmd.env },
      onStdout: (l) => o.logger.info(prefix + l),
      onStderr: (l) => o.logger.info(prefix + l),
    });
  };
  let r = await run(o.docker.builder);
  let hint: string | undefined;
  if (r.code !== 0 && o.docker.builder !== 'classic') {
    const verdict = await judgeBaseImages(o.runner, o.docker.path, `${r.stdout}\n${r.stderr}`, platform);
    if (verdict.kind === 'fallback') {
      o.logger.warn(`${spec.tag}: BuildKit could not resolve ${verdict.images.join(', ')} from a registry, but the Docker engine has `
        + `${verdict.images.length > 1 ? 'them' : 'it'} for ${platform}; building with the classic builder, which uses local images.`);
      r = await run('classic');
    } else if (verdict.kind === 'wrong-platform') {
      hint = `Base image ${verdict.image} exists locally only for ${verdict.local}, and no ${platform} variant could be pulled. `
        + `Build or load a ${platform} base (or point the Dockerfile's base build argument at one), or give this agent access to the registry.`;
    } else if (verdict.kind === 'missing') {
      hint = `Base image ${verdict.images.join(', ')} is neither in the local Docker engine nor reachable in a registry: pull or build it first, or check the registry access of this agent.`;
    }
  }
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n');
    throw new ExternalError('DockerBuildFailed', `docker build exited with code ${r.code}${tail ? `:\n${tail}` : ''}`, { hint });
  }
  const imageId = fs.readFileSync(iidFile, 'utf8').trim();
  return { ...base, imageId, status: 'built', durationMs: Date.now() - start };
}

/** Builds (or reuses) every spec, bounded-concurrently; writes the results file even when some fail. */
export async function buildImages(specs: ModuleBuildSpec[], o: BuildOptions): Promise<BuildResults> {
  const prepared = await prepare(specs, o);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-build-'));
  let done = 0;
  try {
    const settled = await mapBounded(prepared, o.concurrency ?? 2, async (p, i) => {
      try {
        const img = await buildOne(p, o, tmp, i);
        o.onImage?.(++done, prepared.length, img);
        return img;
      } catch (e) {
        const f: FailedImage = { module: p.spec.module.folder, platform: p.spec.platform, tag: p.spec.tag, error: describeError(e).split('\n').join(' | ') };
        o.onImage?.(++done, prepared.length, f);
        throw Object.assign(e as object, { failedImage: f });
      }
    });
    const images = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [(s.reason as { failedImage: FailedImage }).failedImage] : []));
    const results: BuildResults = { version: 1, builder: o.docker.builder, images, ...(failed.length ? { failed } : {}) };
    if (o.resultsPath) writeJsonAtomic(o.resultsPath, results);
    if (failed.length) throw new ModuleBuildError(failed, results);
    return results;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
