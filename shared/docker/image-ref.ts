import { InputError, SourceLocation } from '../core/errors';

/** An image reference split the way Docker does: [registry/]path[:tag]. */
export interface ImageRef { registry?: string; path: string; tag: string }

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Parses and validates a reference. Uppercase in the repository is lowercased (as iotedgedev does);
 * any other invalid character is an error naming the reference.
 */
export function parseImageRef(ref: string, where: SourceLocation = {}): ImageRef {
  const bad = (why: string) => new InputError(`Invalid image reference "${ref}": ${why}.`, where,
    'Repository names use lowercase letters, digits and . _ - separators; tags use letters, digits, . _ - (max 128).');
  if (!ref || /\s/.test(ref)) throw bad('it is empty or contains whitespace');
  if (ref.includes('@')) throw bad('digests are not allowed here, use a tag');
  const slash = ref.indexOf('/');
  let registry: string | undefined;
  let rest = ref;
  if (slash > 0) {
    const first = ref.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') { registry = first.toLowerCase(); rest = ref.slice(slash + 1); }
  }
  const colon = rest.lastIndexOf(':');
  const repoPath = (colon >= 0 ? rest.slice(0, colon) : rest).toLowerCase();
  const tag = colon >= 0 ? rest.slice(colon + 1) : 'latest';
  if (registry && !/^[a-z0-9.-]+(:\d+)?$/.test(registry)) throw bad(`registry "${registry}" is not host[:port]`);
  for (const c of repoPath.split('/')) if (!COMPONENT.test(c)) throw bad(`repository component "${c}" has invalid characters`);
  if (repoPath.length > 255) throw bad('repository name is longer than 255 characters');
  if (!TAG.test(tag)) throw bad(`tag "${tag}" is invalid`);
  return { registry, path: repoPath, tag };
}

export function formatImageRef(r: ImageRef): string {
  return `${r.registry ? r.registry + '/' : ''}${r.path}:${r.tag}`;
}

/** Where an image goes in a given registry: its path without any registry it was tagged with. */
export function retarget(ref: string, registry: string): ImageRef {
  const r = parseImageRef(ref);
  return { registry: registry.toLowerCase(), path: r.path, tag: r.tag };
}
