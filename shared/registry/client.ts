import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { RetryOptions, isTransient, withRetry } from '../core/retry';
import { Logger, silentLogger } from '../core/logger';
import { parseChallenge } from './challenge';
import { HttpResponse, HttpStatusError, httpRequest } from './http';
import { INDEX_TYPES, MANIFEST_TYPES } from './media-types';
import { RegistryAuthError, RegistryError, RegistryUnreachableError, isRefused, networkDetail } from './errors';

/**
 * OCI distribution API client: ping, 401 challenge → Basic or Bearer token, manifest digests and
 * config labels. Transient failures (5xx, 429, dropped connections) retry with backoff.
 */
export interface RegistryCredentials { username: string; password: string }

export interface RegistryClientOptions {
  /** host[:port] */
  address: string;
  credentials?: RegistryCredentials;
  /** Extra CA PEMs; /etc/docker/certs.d/<address>/ca.crt is added automatically as docker does. */
  ca?: string[];
  /** Force a scheme; default https, with http allowed for loopback registries (as the Docker engine does). */
  scheme?: 'http' | 'https';
  retry?: RetryOptions;
  logger?: Logger;
  certsDir?: string;
}

export interface RemoteImage {
  /** Manifest digest as the registry reports it (Docker-Content-Digest). */
  digest: string;
  mediaType: string;
  /** config.digest for single-image manifests = the local image id. */
  configDigest?: string;
}

function isLoopback(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export class RegistryClient {
  readonly address: string;
  private scheme?: 'http' | 'https';
  private readonly ca: string[];
  private readonly tokens = new Map<string, string>();
  private readonly log: Logger;
  /** Set once the registry has answered anything: from then on a refused connection is worth retrying. */
  private answered = false;

  constructor(private readonly opts: RegistryClientOptions) {
    this.address = opts.address.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    this.scheme = opts.scheme;
    this.log = opts.logger ?? silentLogger;
    this.ca = [...(opts.ca ?? [])];
    const dockerCa = path.join(opts.certsDir ?? '/etc/docker/certs.d', this.address, 'ca.crt');
    try { this.ca.push(fs.readFileSync(dockerCa, 'utf8')); } catch { /* no registry-specific CA */ }
    if (opts.credentials?.password) this.log.setSecret(opts.credentials.password);
  }

  /** Checks reachability and credentials (GET /v2/). */
  async ping(): Promise<void> {
    await this.request('GET', '/v2/', 'registry:catalog:*', {}, [200]);
  }

  /** The manifest a tag points to, or undefined when the repository or tag does not exist. */
  async getImage(repo: string, reference: string): Promise<RemoteImage | undefined> {
    const res = await this.request('GET', `/v2/${repo}/manifests/${reference}`, `repository:${repo}:pull`,
      { Accept: MANIFEST_TYPES.join(', ') }, [200, 404]);
    if (res.status === 404) return undefined;
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0];
    const header = res.headers['docker-content-digest'];
    const digest = (Array.isArray(header) ? header[0] : header) ?? 'sha256:' + crypto.createHash('sha256').update(res.body).digest('hex');
    let configDigest: string | undefined;
    if (!INDEX_TYPES.has(mediaType)) {
      try { configDigest = (JSON.parse(res.body.toString('utf8')) as { config?: { digest?: string } }).config?.digest; } catch { /* not JSON */ }
    }
    return { digest, mediaType, configDigest };
  }

  /** Manifest digest via HEAD (cheap; what push records). */
  async headDigest(repo: string, reference: string): Promise<string | undefined> {
    const res = await this.request('HEAD', `/v2/${repo}/manifests/${reference}`, `repository:${repo}:pull`,
      { Accept: MANIFEST_TYPES.join(', ') }, [200, 404]);
    if (res.status === 404) return undefined;
    const h = res.headers['docker-content-digest'];
    const d = Array.isArray(h) ? h[0] : h;
    return d ?? (await this.getImage(repo, reference))?.digest;
  }

  /** Labels of an image config blob (used to find an image by content hash). */
  async getConfigLabels(repo: string, configDigest: string): Promise<Record<string, string>> {
    const res = await this.request('GET', `/v2/${repo}/blobs/${configDigest}`, `repository:${repo}:pull`, {}, [200]);
    const cfg = JSON.parse(res.body.toString('utf8')) as { config?: { Labels?: Record<string, string> | null } };
    return cfg.config?.Labels ?? {};
  }

  private async baseUrl(): Promise<string> {
    if (!this.scheme) {
      try {
        await httpRequest({ method: 'GET', url: `https://${this.address}/v2/`, ca: this.ca, timeoutMs: 15_000 });
        this.scheme = 'https';
        this.answered = true;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? '';
        const tlsProblem = code === 'EPROTO' || /wrong version number|ssl/i.test((e as Error).message);
        if (tlsProblem && isLoopback(this.address)) { this.scheme = 'http'; this.answered = true; }
        else throw e;
      }
    }
    return `${this.scheme}://${this.address}`;
  }

  private async request(method: 'GET' | 'HEAD', urlPath: string, scope: string, headers: Record<string, string>, ok: number[]): Promise<HttpResponse> {
    try {
      return await withRetry(async () => {
        const url = (await this.baseUrl()) + urlPath;
        let res = await httpRequest({ method, url, headers: { ...headers, ...this.authHeader(scope) }, ca: this.ca });
        this.answered = true;
        if (res.status === 401) {
          await this.authenticate(res, scope);
          res = await httpRequest({ method, url, headers: { ...headers, ...this.authHeader(scope) }, ca: this.ca });
          if (res.status === 401) throw new RegistryAuthError(this.address);
        }
        if (ok.includes(res.status)) return res;
        throw new HttpStatusError(res.status, res.headers, res.body.toString('utf8').slice(0, 300), url);
      }, {
        ...this.opts.retry,
        shouldRetry: (err) => (this.answered || !isRefused(err)) && (this.opts.retry?.shouldRetry ?? isTransient)(err),
        onRetry: (err, attempt, delay) => this.log.debug(`registry ${this.address}: ${(err as Error).message}; retry ${attempt} in ${Math.round(delay)} ms`),
      });
    } catch (e) {
      if (e instanceof RegistryAuthError) throw e;
      if (e instanceof HttpStatusError) {
        if (e.status === 403) throw new RegistryAuthError(this.address, `access to ${scope} denied`);
        throw new RegistryError(`registry ${this.address}: ${method} ${urlPath} returned HTTP ${e.status} ${e.body.trim()}`, e.status);
      }
      throw new RegistryUnreachableError(this.address, networkDetail(e));
    }
  }

  private authHeader(scope: string): Record<string, string> {
    const t = this.tokens.get(scope) ?? this.tokens.get('*');
    return t ? { Authorization: t } : {};
  }

  private basic(): string | undefined {
    const c = this.opts.credentials;
    if (!c) return undefined;
    const b = Buffer.from(`${c.username}:${c.password}`).toString('base64');
    this.log.setSecret(b);
    return `Basic ${b}`;
  }

  private async authenticate(res: HttpResponse, scope: string): Promise<void> {
    const header = res.headers['www-authenticate'];
    const ch = parseChallenge(Array.isArray(header) ? header[0] : header);
    if (ch?.scheme === 'basic') {
      const b = this.basic();
      if (!b) throw new RegistryAuthError(this.address, 'the registry requires a user name and password');
      this.tokens.set('*', b);
      return;
    }
    if (ch?.scheme !== 'bearer' || !ch.params.realm) throw new RegistryAuthError(this.address, 'unsupported authentication challenge');
    const u = new URL(ch.params.realm);
    if (ch.params.service) u.searchParams.set('service', ch.params.service);
    u.searchParams.set('scope', ch.params.scope ?? scope);
    const b = this.basic();
    const tr = await httpRequest({ method: 'GET', url: u.toString(), headers: b ? { Authorization: b } : {}, ca: this.ca });
    if (tr.status === 401 || tr.status === 403) throw new RegistryAuthError(this.address);
    if (tr.status !== 200) throw new HttpStatusError(tr.status, tr.headers, tr.body.toString('utf8').slice(0, 300), u.toString());
    const json = JSON.parse(tr.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    if (!token) throw new RegistryAuthError(this.address, 'the token service returned no token');
    this.log.setSecret(token);
    this.tokens.set(scope, `Bearer ${token}`);
  }
}
