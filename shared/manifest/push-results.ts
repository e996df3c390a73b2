import { InputError } from '../core/errors';
import { readJsonFile } from '../core/json';

/**
 * The file IoTEdgePushModuleImages writes and the manifest engine reads for digest pinning.
 * `tag` is the image reference exactly as the manifest uses it (`<repo>:<tag>`);
 * pinning replaces an image equal to `tag` with `<repository>@<digest>`.
 */
export interface PushResultImage {
  /** Module folder name. */
  module: string;
  /** module.json platform key (e.g. "amd64", "amd64.debug"). */
  platform: string;
  /** `<registry>/<repo path>:<tag>`, as in the manifest. */
  tag: string;
  /** `sha256:<64 hex>` of the pushed manifest; may be absent when a push failed. */
  digest?: string;
  /** `<registry>/<repo path>` without tag. */
  repository: string;
  /** False when the registry already had the image (digest still valid). */
  pushed: boolean;
}

export interface PushResults {
  version: 1;
  /** `host[:port]` of the registry pushed to. */
  registry: string;
  images: PushResultImage[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Reads and checks a push results file, with line/column for mistakes. */
export function readPushResults(file: string): PushResults {
  const doc = readJsonFile<PushResults>(file);
  const v = doc.value as unknown as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError('Push results must be a JSON object', doc.locate(''));
  if (v.version !== 1) throw new InputError(`Unsupported push results version ${JSON.stringify(v.version)} (expected 1)`, doc.locate('/version'));
  if (!Array.isArray(v.images)) throw new InputError('"images" must be an array', doc.locate('/images'));
  (v.images as unknown[]).forEach((img, i) => {
    const o = img as Record<string, unknown>;
    if (typeof o !== 'object' || o === null) throw new InputError('Each image must be an object', doc.locate(`/images/${i}`));
    for (const f of ['tag', 'repository'] as const) {
      if (typeof o[f] !== 'string' || o[f] === '') throw new InputError(`"${f}" must be a non-empty string`, doc.locate(`/images/${i}/${f}`));
    }
    if (o.digest !== undefined && (typeof o.digest !== 'string' || !DIGEST_RE.test(o.digest))) {
      throw new InputError(`"digest" must be sha256:<64 hex digits>, got ${JSON.stringify(o.digest)}`, doc.locate(`/images/${i}/digest`));
    }
    if (typeof o.tag === 'string' && typeof o.repository === 'string' && !o.tag.startsWith(o.repository + ':')) {
      throw new InputError(`"tag" ${o.tag} does not belong to repository ${o.repository}`, doc.locate(`/images/${i}/tag`));
    }
  });
  return doc.value;
}

/** image reference -> pinned reference, for every entry with a digest. */
export function pinMap(results: PushResults): Map<string, string> {
  const map = new Map<string, string>();
  for (const img of results.images) if (img.digest) map.set(img.tag, `${img.repository}@${img.digest}`);
  return map;
}
