import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';

/**
 * Content hash of everything that decides an image: every file of the build context (minus
 * .dockerignore), the Dockerfile, the platform and the build options. Same hash ⇒ same image.
 */
export interface HashInput {
  contextPath: string;
  dockerfile: string;
  platform: string;
  /** Normalized build options (includes --build-arg values). */
  buildOptions: string[];
}

const HASH_VERSION = 'edgeops-content-v1';

/** .dockerignore patterns as globs. With a `!` exception we hash everything: over-hashing only costs a rebuild. */
export function dockerignorePatterns(contextPath: string): string[] {
  let text: string;
  try { text = fs.readFileSync(path.join(contextPath, '.dockerignore'), 'utf8'); } catch { return []; }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.some((l) => l.startsWith('!'))) return [];
  return lines.flatMap((l) => {
    const p = path.posix.normalize(l.replace(/^\/+/, '')).replace(/\/+$/, '');
    return [p, `${p}/**`];
  });
}

export async function contextFiles(contextPath: string): Promise<string[]> {
  const files = await fg('**', { cwd: contextPath, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: dockerignorePatterns(contextPath) });
  return files.sort();
}

function fileDigest(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export async function contentHash(input: HashInput): Promise<string> {
  const h = crypto.createHash('sha256');
  h.update(`${HASH_VERSION}\n${input.platform}\n`);
  h.update(`dockerfile ${fileDigest(input.dockerfile)}\n`);
  h.update(`options ${JSON.stringify(input.buildOptions)}\n`);
  for (const rel of await contextFiles(input.contextPath)) {
    const abs = path.join(input.contextPath, rel);
    const st = fs.lstatSync(abs);
    const body = st.isSymbolicLink() ? `link:${fs.readlinkSync(abs)}` : fileDigest(abs);
    // The exec bit changes the image (COPY keeps modes); other mode bits are umask noise.
    h.update(`${JSON.stringify(rel)} ${st.mode & 0o111 ? 'x' : '-'} ${body}\n`);
  }
  return 'sha256:' + h.digest('hex');
}
