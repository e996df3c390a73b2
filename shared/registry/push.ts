import { CommandRunner } from '../core/exec';
import { EdgeOpsError, ExternalError, describeError } from '../core/errors';
import { Logger, SecretMasker } from '../core/logger';
import { writeJsonAtomic } from '../core/atomic-write';
import { withRetry } from '../core/retry';
import { PushResultImage, PushResults } from '../manifest/push-results';
import { RegistryAuthProvider, RegistryLogin, normalizeServer } from '../auth/provider';
import { dockerLogin, dockerLogout } from '../auth/docker-login';
import { formatImageRef, retarget } from '../docker/image-ref';
import { inspectLocalImage } from '../docker/inspect';
import { mapBounded } from '../docker/pool';
import { RegistryClient, RegistryClientOptions } from './client';

/** One image to push: what discovery or the build results file says. */
export interface PushItem {
  module: string;
  platform: string;
  /** Local image reference (as built). */
  tag: string;
  /** From the build results: lets an image reused from the registry be recognised without a local copy. */
  imageId?: string;
}

export interface PushFailure { module: string; platform: string; tag: string; error: string }
export type PushResultsFile = PushResults & { failed?: PushFailure[] };

export interface PushOptions {
  runner: CommandRunner;
  docker: string;
  logger: Logger;
  /** host[:port] to push to. */
  registry: string;
  auth?: RegistryAuthProvider;
  concurrency?: number;
  resultsPath?: string;
  clientOptions?: Partial<RegistryClientOptions>;
  onImage?: (done: number, total: number, image: PushResultImage, error?: string) => void;
}

export class ModulePushError extends EdgeOpsError {
  constructor(readonly failed: PushFailure[], readonly results: PushResultsFile) {
    super('ModulePushFailed', `Push failed for ${failed.map((f) => `${f.module} (${f.platform})`).join(', ')}:\n`
      + failed.map((f) => `  - ${f.module} (${f.platform}) ${f.tag}: ${f.error}`).join('\n'));
  }
}

const TRANSIENT_PUSH = /(connection reset|broken pipe|i\/o timeout|EOF|503|502|504|429|too many requests|TLS handshake timeout)/i;

async function dockerOrThrow(o: PushOptions, args: string[], what: string, retry = false): Promise<void> {
  await withRetry(async () => {
    const r = await o.runner.run(o.docker, args, { onStdout: (l) => o.logger.debug(l), onStderr: (l) => o.logger.debug(l) });
    if (r.code === 0) return;
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
    throw Object.assign(new ExternalError('DockerPushFailed', `${what} failed (exit ${r.code}): ${tail}`), { transient: retry && TRANSIENT_PUSH.test(tail) });
  }, { retries: retry ? 3 : 0, shouldRetry: (e) => !!(e as { transient?: boolean }).transient,
    onRetry: (e, n, d) => o.logger.warn(`${(e as Error).message}; retry ${n} in ${Math.round(d)} ms`) });
}

async function pushOne(item: PushItem, o: PushOptions, client: RegistryClient, registry: string): Promise<PushResultImage> {
  const dst = retarget(item.tag, registry);
  const dstRef = formatImageRef(dst);
  const base = { module: item.module, platform: item.platform, tag: dstRef, repository: `${registry}/${dst.path}` };
  const local = await inspectLocalImage(o.runner, o.docker, item.tag);
  const imageId = local?.id ?? item.imageId;
  const remote = await client.getImage(dst.path, dst.tag);
  if (remote && imageId && remote.configDigest === imageId) {
    o.logger.info(`${dstRef}: the registry already holds this image (${remote.digest}), not pushing`);
    return { ...base, digest: remote.digest, pushed: false };
  }
  if (!local) {
    throw new ExternalError('ImageNotFound', `image ${item.tag} is not in the local Docker engine`, {
      hint: 'Build it first (IoT Edge: build module images, or `edgeops modules build`) on the same agent.',
    });
  }
  if (dstRef !== item.tag) await dockerOrThrow(o, ['tag', item.tag, dstRef], `docker tag ${item.tag} ${dstRef}`);
  o.logger.info(`${dstRef}: pushing`);
  await dockerOrThrow(o, ['push', dstRef], `docker push ${dstRef}`, true);
  // The digest as the registry reports it, checked against what we pushed (never parsed from console text).
  const after = await client.getImage(dst.path, dst.tag);
  if (!after) throw new ExternalError('PushNotVisible', `${dstRef} was pushed but the registry does not list it`);
  if (after.configDigest && after.configDigest !== local.id) {
    throw new ExternalError('PushRace', `${dstRef} in the registry is not the image just pushed (config ${after.configDigest} ≠ ${local.id}); another push raced this one`);
  }
  o.logger.info(`${dstRef}: pushed ${after.digest}`);
  return { ...base, digest: after.digest, pushed: true };
}

/** Logs in (stdin), pushes what the registry lacks, records registry digests, logs out of the same server. */
export async function pushImages(items: PushItem[], o: PushOptions): Promise<PushResultsFile> {
  const registry = normalizeServer(o.registry);
  let login: RegistryLogin | undefined;
  if (o.auth) {
    login = await o.auth.getLogin();
    o.logger.setSecret(login.password);
    o.logger.info(`Registry ${registry}: signing in with ${o.auth.kind}`);
  }
  const client = new RegistryClient({ ...o.clientOptions, address: registry, logger: o.logger,
    credentials: login ? { username: login.username, password: login.password } : undefined });
  await client.ping(); // unreachable or wrong password fails here, before anything is pushed
  if (login) await dockerLogin(o.runner, o.docker, { ...login, server: registry }, o.logger);
  try {
    let done = 0;
    const settled = await mapBounded(items, o.concurrency ?? 2, async (item) => {
      try {
        const r = await pushOne(item, o, client, registry);
        o.onImage?.(++done, items.length, r);
        return r;
      } catch (e) {
        o.onImage?.(++done, items.length, { module: item.module, platform: item.platform, tag: item.tag, repository: '', pushed: false }, describeError(e));
        throw e;
      }
    });
    const masker = new SecretMasker();
    if (login) masker.add(login.password);
    const images: PushResultImage[] = [];
    const failed: PushFailure[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'fulfilled') images.push(s.value);
      // The results file is an artifact the logger's masking never sees: mask the password here too.
      else failed.push({ module: items[i].module, platform: items[i].platform, tag: items[i].tag, error: masker.mask(describeError(s.reason).split('\n').join(' | ')) });
    });
    const results: PushResultsFile = { version: 1, registry, images, ...(failed.length ? { failed } : {}) };
    if (o.resultsPath) writeJsonAtomic(o.resultsPath, results);
    if (failed.length) throw new ModulePushError(failed, results);
    return results;
  } finally {
    if (login) await dockerLogout(o.runner, o.docker, registry, o.logger);
  }
}
