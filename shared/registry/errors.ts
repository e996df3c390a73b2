import { ExternalError } from '../core/errors';

export class RegistryAuthError extends ExternalError {
  constructor(registry: string, detail?: string) {
    super('RegistryAuthFailed', `authentication failed for ${registry}${detail ? `: ${detail}` : ''}`, {
      hint: 'Check the user name and password (or the service connection) for this registry.',
    });
  }
}

export class RegistryUnreachableError extends ExternalError {
  constructor(registry: string, detail: string) {
    super('RegistryUnreachable', `registry unreachable: ${registry} (${detail})`, {
      hint: 'Check the registry address (host[:port]), that it is running, and that this agent can reach it.',
    });
  }
}

export class RegistryError extends ExternalError {
  constructor(message: string, readonly statusCode?: number) {
    super('RegistryError', message);
  }
}

/**
 * A refused connection before the registry ever answered is a wrong address or a stopped registry,
 * not a blip: retrying only delays the error. Resets, timeouts, 429 and 5xx stay retryable.
 */
export function isRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ECONNREFUSED';
}

/** "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1" → "connection refused" and friends, for the one-line error. */
export function networkDetail(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ECONNREFUSED: 'connection refused', ENOTFOUND: 'host name not found', EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'timed out', ECONNRESET: 'connection reset', EHOSTUNREACH: 'no route to host', ENETUNREACH: 'network unreachable',
  };
  return (code && words[code]) || (err as Error)?.message || String(err);
}
