import type { TokenCredential } from '@azure/identity';
import { ExternalError } from '../core/errors';
import { Logger } from '../core/logger';
import { RetryOptions, isTransient, withRetry } from '../core/retry';
import { RegistryUnreachableError, isRefused, networkDetail } from '../registry/errors';
import { HttpStatusError, httpRequest } from '../registry/http';
import { RegistryAuthProvider, RegistryLogin, normalizeServer } from './provider';

/** ACR accepts an ACR refresh token as the password of this all-zero user. */
export const ACR_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
const ARM_SCOPE = 'https://management.azure.com/.default';

export interface AcrOptions {
  /** ACR login server, e.g. myacr.azurecr.io. */
  loginServer: string;
  credential: TokenCredential;
  tenantId?: string;
  logger: Logger;
  /** Override for tests (a local fake ACR); default https://<loginServer>. */
  baseUrl?: string;
  ca?: string[];
  kind?: string;
  retry?: RetryOptions;
}

/**
 * Azure AD token → ACR refresh token via POST /oauth2/exchange. The AAD token never leaves memory;
 * both tokens are registered as secrets before anything could print them.
 */
export class AcrAuthProvider implements RegistryAuthProvider {
  readonly server: string;
  readonly kind: string;
  constructor(private readonly o: AcrOptions) {
    this.server = normalizeServer(o.loginServer);
    this.kind = o.kind ?? 'Azure Container Registry (Azure AD)';
  }

  async getLogin(): Promise<RegistryLogin> {
    let aad: string;
    try {
      const t = await this.o.credential.getToken(ARM_SCOPE);
      if (!t?.token) throw new Error('no token returned');
      aad = t.token;
    } catch (e) {
      throw new ExternalError('AzureAuthFailed', `authentication failed for ${this.server}: could not get an Azure AD token (${(e as Error).message.split('\n')[0]})`, {
        hint: 'Check the Azure Resource Manager service connection (tenant, service principal, secret/certificate, or federated credential).',
      });
    }
    this.o.logger.setSecret(aad);
    const body = new URLSearchParams({ grant_type: 'access_token', service: this.server, access_token: aad });
    if (this.o.tenantId) body.set('tenant', this.o.tenantId);
    const url = `${this.o.baseUrl ?? `https://${this.server}`}/oauth2/exchange`;
    let answered = false;
    const res = await withRetry(async () => {
      const r = await httpRequest({ method: 'POST', url, body: body.toString(), ca: this.o.ca,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      answered = true;
      if (r.status >= 500 || r.status === 429) throw new HttpStatusError(r.status, r.headers, '', url);
      return r;
    }, { ...this.o.retry, shouldRetry: (e) => (answered || !isRefused(e)) && isTransient(e) }).catch((e: unknown) => {
      if (e instanceof HttpStatusError) throw e;
      throw new RegistryUnreachableError(this.server, networkDetail(e));
    });
    if (res.status === 401 || res.status === 403) {
      throw new ExternalError('RegistryAuthFailed', `authentication failed for ${this.server}: the registry refused the Azure AD token (HTTP ${res.status})`, {
        hint: 'Give the service principal or identity the AcrPush role on this registry.',
      });
    }
    if (res.status !== 200) throw new ExternalError('RegistryAuthFailed', `authentication failed for ${this.server}: token exchange returned HTTP ${res.status}`);
    const refresh = (JSON.parse(res.body.toString('utf8')) as { refresh_token?: string }).refresh_token;
    if (!refresh) throw new ExternalError('RegistryAuthFailed', `authentication failed for ${this.server}: no refresh token in the exchange response`);
    this.o.logger.setSecret(refresh);
    return { server: this.server, username: ACR_TOKEN_USER, password: refresh };
  }
}
