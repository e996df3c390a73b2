import { CommandRunner } from '../core/exec';

/**
 * BuildKit resolves FROM images through a registry unless the image store it sees already has the
 * requested platform: the daemon's embedded BuildKit sees local images, a buildx docker-container
 * builder sees none. On machines without registry access (or with locally built bases) a build can
 * then fail on a base image the daemon has. We read which bases failed from the build output and
 * decide: fall back to the classic builder (which uses local images), or say which platform is missing.
 */

/** Base image references whose metadata BuildKit could not load, as printed in its plain progress output. */
export function failedBaseImages(output: string): string[] {
  const refs = new Set<string>();
  const steps = new Map<string, string>();
  for (const line of output.split(/\r?\n/)) {
    // "#3 [internal] load metadata for docker.io/library/node:20" … "#3 ERROR: …"
    let m = /^#(\d+) \[internal\] load metadata for (\S+)/.exec(line);
    if (m) { steps.set(m[1], m[2]); continue; }
    m = /^#(\d+) ERROR\b/.exec(line);
    if (m && steps.has(m[1])) { refs.add(steps.get(m[1])!); continue; }
    // buildx: "ERROR [internal] load metadata for …", "failed to resolve source metadata for <ref>: …"
    m = /ERROR \[internal\] load metadata for (\S+)/.exec(line) ?? /resolve source metadata for (\S+?):\s/.exec(line);
    if (m) refs.add(m[1]);
  }
  return [...refs].map(shortRef);
}

/** docker.io/library/node:20 → node:20, docker.io/org/x:1 → org/x:1 (the names `docker image ls` shows). */
export function shortRef(ref: string): string {
  return ref.replace(/^docker\.io\/(library\/)?/, '');
}

/** "linux/arm/v7" style platform of a local image, or undefined when the daemon has no such image. */
export async function localImagePlatform(runner: CommandRunner, docker: string, ref: string): Promise<string | undefined> {
  const r = await runner.run(docker, ['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}/{{.Variant}}', ref]);
  if (r.code !== 0) return undefined;
  return r.stdout.trim().replace(/\/$/, '') || undefined;
}

/** os/arch[/variant]; a missing variant matches any (arm64 images say v8, arm ones sometimes nothing). */
export function samePlatform(a: string, b: string): boolean {
  const [oa, aa, va] = a.split('/');
  const [ob, ab, vb] = b.split('/');
  return oa === ob && aa === ab && (!va || !vb || va === vb);
}

export type BaseImageVerdict =
  | { kind: 'none' }
  /** Every failed base is local for the right platform: the classic builder can build it. */
  | { kind: 'fallback'; images: string[] }
  /** A failed base is local, but only for another platform. */
  | { kind: 'wrong-platform'; image: string; local: string }
  /** A failed base is not local at all. */
  | { kind: 'missing'; images: string[] };

export async function judgeBaseImages(runner: CommandRunner, docker: string, output: string, platform: string): Promise<BaseImageVerdict> {
  const refs = failedBaseImages(output);
  if (refs.length === 0) return { kind: 'none' };
  const missing: string[] = [];
  for (const ref of refs) {
    const local = await localImagePlatform(runner, docker, ref);
    if (!local) { missing.push(ref); continue; }
    if (!samePlatform(local, platform)) return { kind: 'wrong-platform', image: ref, local };
  }
  return missing.length ? { kind: 'missing', images: missing } : { kind: 'fallback', images: refs };
}
