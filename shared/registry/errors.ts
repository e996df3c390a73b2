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
    super('RegistryUnreachable', `registry ${registry} is unreachable: ${detail}`, {
      hint: 'Check the registry address (host[:port]), that it is running, and that this agent can reach it.',
    });
  }
}

export class RegistryError extends ExternalError {
  constructor(message: string, readonly statusCode?: number) {
    super('RegistryError', message);
  }
}
