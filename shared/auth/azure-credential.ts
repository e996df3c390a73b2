import {
  AzurePipelinesCredential, ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential, TokenCredential,
} from '@azure/identity';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';

/** An AzureRM service connection as plain data (tasks/inputs.ts fills it; nothing here reads task-lib). */
export type AzureConnection =
  | { scheme: 'ServicePrincipal'; tenantId: string; clientId: string; secret: string; authorityHost?: string }
  | { scheme: 'ServicePrincipalCertificate'; tenantId: string; clientId: string; certificatePem: string; authorityHost?: string }
  | { scheme: 'ManagedServiceIdentity'; clientId?: string }
  | { scheme: 'WorkloadIdentityFederation'; tenantId: string; clientId: string; serviceConnectionId: string; systemAccessToken: string; oidcRequestUri?: string; authorityHost?: string };

/** Builds the @azure/identity credential for a connection; every secret is masked first. */
export function credentialFor(c: AzureConnection, logger: Logger): TokenCredential {
  switch (c.scheme) {
    case 'ServicePrincipal':
      logger.setSecret(c.secret);
      return new ClientSecretCredential(c.tenantId, c.clientId, c.secret, { authorityHost: c.authorityHost });
    case 'ServicePrincipalCertificate':
      logger.setSecret(c.certificatePem);
      // The PEM stays in memory (certificate + key in one string); it is never written to a temp file.
      return new ClientCertificateCredential(c.tenantId, c.clientId, { certificate: c.certificatePem }, { authorityHost: c.authorityHost });
    case 'ManagedServiceIdentity':
      return c.clientId ? new ManagedIdentityCredential({ clientId: c.clientId }) : new ManagedIdentityCredential();
    case 'WorkloadIdentityFederation':
      if (!c.systemAccessToken) {
        throw new InputError('Workload identity federation needs System.AccessToken: allow scripts to access the OAuth token (or map SYSTEM_ACCESSTOKEN).', { field: 'azureSubscription' });
      }
      logger.setSecret(c.systemAccessToken);
      // AzurePipelinesCredential reads the OIDC endpoint from the environment the agent sets for tasks.
      if (c.oidcRequestUri && !process.env.SYSTEM_OIDCREQUESTURI) process.env.SYSTEM_OIDCREQUESTURI = c.oidcRequestUri;
      if (!process.env.SYSTEM_OIDCREQUESTURI) {
        throw new InputError('Workload identity federation needs System.OidcRequestUri, which only Azure Pipelines agents (3.227+) provide.', { field: 'azureSubscription' });
      }
      return new AzurePipelinesCredential(c.tenantId, c.clientId, c.serviceConnectionId, c.systemAccessToken, { authorityHost: c.authorityHost });
  }
}
