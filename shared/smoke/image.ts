/**
 * Container image references compared the way the runtime resolves them: `sensor` and
 * `docker.io/library/sensor:latest` are the same image; a digest pins it regardless of tag.
 */
export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) { digest = rest.slice(at + 1).toLowerCase(); rest = rest.slice(0, at); }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) { tag = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  const parts = rest.split('/');
  // The first part is a registry only when it looks like a host (dot, port or localhost).
  if (parts.length === 1 || !(/[.:]/.test(parts[0]) || parts[0] === 'localhost')) parts.unshift('docker.io');
  if (parts[0] === 'index.docker.io') parts[0] = 'docker.io';
  if (parts[0] === 'docker.io' && parts.length === 2) parts.splice(1, 0, 'library');
  parts[0] = parts[0].toLowerCase();
  return { name: parts.join('/'), tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** True when `reported` runs the image `expected` asks for (same name; same digest when pinned, else same tag). */
export function imageMatches(expected: string, reported: string | undefined): boolean {
  if (!reported) return false;
  const e = parseImage(expected);
  const r = parseImage(reported);
  if (e.name !== r.name) return false;
  if (e.digest) return e.digest === r.digest;
  return e.tag === r.tag;
}
