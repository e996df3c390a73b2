import { Logger, silentLogger } from '../../shared/core/logger';
import { RegistryClient } from '../../shared/registry/client';
import { RegistryCredential } from './agent-model';

/** An image reference split into registry address, repository and tag or digest. */
export interface ImageName { registry: string; repository: string; reference: string }

export function splitImage(image: string): ImageName {
  let rest = image;
  let registry = 'docker.io';
  const slash = rest.indexOf('/');
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') { registry = first; rest = rest.slice(slash + 1); }
  }
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at >= 0) { reference = rest.slice(at + 1); rest = rest.slice(0, at); }
  else {
    const colon = rest.lastIndexOf(':');
    if (colon >= 0) { reference = rest.slice(colon + 1); rest = rest.slice(0, colon); }
  }
  if (registry === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, reference };
}

export type ImageCheck =
  | { found: true; digest: string; labels: Record<string, string> }
  | { found: false; description: string };

/**
 * Answers "could the agent pull this image?" through the OCI API (shared/registry), with the
 * deployment's registry credentials. Results are cached briefly and concurrent lookups share one
 * request, so thousands of simulated devices on one deployment cost one lookup per image.
 */
export class ImageChecker {
  private readonly cache = new Map<string, { at: number; result: Promise<ImageCheck> }>();
  private readonly clients = new Map<string, RegistryClient>();

  constructor(private readonly opts: { ca?: string[]; ttlMs?: number; log?: Logger } = {}) {}

  check(image: string, creds: RegistryCredential[]): Promise<ImageCheck> {
    const name = splitImage(image);
    const cred = creds.find((c) => c.address.replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase() === name.registry.toLowerCase());
    const key = `${image}\n${cred?.username ?? ''}\n${cred?.password ?? ''}`;
    const hit = this.cache.get(key);
    const ttl = this.opts.ttlMs ?? 5000;
    if (hit && Date.now() - hit.at < ttl) return hit.result;
    const result = this.lookup(name, cred);
    this.cache.set(key, { at: Date.now(), result });
    return result;
  }

  private client(name: ImageName, cred?: RegistryCredential): RegistryClient {
    const key = `${name.registry}\n${cred?.username ?? ''}\n${cred?.password ?? ''}`;
    let c = this.clients.get(key);
    if (!c) {
      c = new RegistryClient({
        address: name.registry, credentials: cred && cred.username ? { username: cred.username, password: cred.password } : undefined,
        ca: this.opts.ca, retry: { retries: 1, baseDelayMs: 200 }, logger: this.opts.log ?? silentLogger,
      });
      this.clients.set(key, c);
    }
    return c;
  }

  private async lookup(name: ImageName, cred?: RegistryCredential): Promise<ImageCheck> {
    const ref = `${name.registry}/${name.repository}${name.reference.includes(':') ? '@' : ':'}${name.reference}`;
    try {
      const c = this.client(name, cred);
      const img = await c.getImage(name.repository, name.reference);
      if (!img) return { found: false, description: `Failed to pull image ${ref}: manifest unknown (not found in registry ${name.registry})` };
      let labels: Record<string, string> = {};
      if (img.configDigest) {
        try { labels = await c.getConfigLabels(name.repository, img.configDigest); } catch { /* labels are optional */ }
      }
      return { found: true, digest: img.configDigest ?? img.digest, labels };
    } catch (e) {
      return { found: false, description: `Failed to pull image ${ref}: ${(e as Error).message}` };
    }
  }
}
