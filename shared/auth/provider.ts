/**
 * One interface for every way a registry login is obtained. Providers resolve credentials in
 * memory only; the caller registers them as secrets and hands the password to docker via stdin.
 */
export interface RegistryLogin {
  /** host[:port] docker logs in to and out of. */
  server: string;
  username: string;
  password: string;
}

export interface RegistryAuthProvider {
  /** host[:port] of the registry (known before any network call). */
  readonly server: string;
  /** Short description for logs ("username/password", "ACR via service principal"). */
  readonly kind: string;
  getLogin(): Promise<RegistryLogin>;
}

/** Normalizes "https://myacr.azurecr.io/" or "myacr.azurecr.io" to host[:port]. */
export function normalizeServer(server: string): string {
  return server.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}
