/** Labels EdgeOps puts on every image. The content hash is how incremental builds recognise an image. */
export const CONTENT_HASH_LABEL = 'io.edgeops.content-hash';
export const MODULE_LABEL = 'io.edgeops.module';
export const PLATFORM_LABEL = 'io.edgeops.platform';

export interface LabelContext {
  /** Repository URL (Build.Repository.Uri) — org.opencontainers.image.source. */
  source?: string;
  /** Commit (Build.SourceVersion) — org.opencontainers.image.revision. */
  revision?: string;
  /** Module version from module.json. */
  version: string;
  created: Date;
  contentHash: string;
  module: string;
  platform: string;
}

/** OCI annotations as labels. source/revision/created are NOT in the content hash: a new commit alone rebuilds nothing. */
export function imageLabels(c: LabelContext): Record<string, string> {
  const l: Record<string, string> = {
    'org.opencontainers.image.created': c.created.toISOString(),
    'org.opencontainers.image.version': c.version,
    [CONTENT_HASH_LABEL]: c.contentHash,
    [MODULE_LABEL]: c.module,
    [PLATFORM_LABEL]: c.platform,
  };
  if (c.source) l['org.opencontainers.image.source'] = c.source;
  if (c.revision) l['org.opencontainers.image.revision'] = c.revision;
  return l;
}

export function labelArgs(labels: Record<string, string>): string[] {
  return Object.keys(labels).sort().flatMap((k) => ['--label', `${k}=${labels[k]}`]);
}
