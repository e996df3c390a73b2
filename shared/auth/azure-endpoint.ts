import { InputError } from '../core/errors';
import { AzureConnection } from './azure-credential';

/**
 * What a task's inputs.ts reads from an Azure Resource Manager (or ACR-typed docker registry) service
 * connection. The task-lib getEndpoint* calls stay in inputs.ts; turning them into an AzureConnection is
 * one rule set for every task.
 */
export interface AzureEndpointFields {
  id: string;
  /** Authorization scheme as the agent reports it (ServicePrincipal, ManagedServiceIdentity, WorkloadIdentityFederation). */
  scheme: string;
  /** An authorization parameter (tenantid, serviceprincipalid, serviceprincipalkey …), undefined when empty. */
  param(key: string): string | undefined;
  authorityHost?: string;
  /** System.AccessToken, for workload identity federation. */
  systemAccessToken: string;
  /** System.OidcRequestUri, for workload identity federation. */
  oidcRequestUri?: string;
}

/** Builds the connection; secrets are registered through `setSecret` the moment they are read. */
export function azureConnectionFromEndpoint(e: AzureEndpointFields, setSecret: (value: string) => void): AzureConnection {
  const required = (key: string, what: string): string => {
    const v = e.param(key);
    if (!v) throw new InputError(`Service connection ${e.id} has no ${what} (${key}).`, { field: key });
    return v;
  };
  switch (e.scheme.toLowerCase()) {
    case 'serviceprincipal': {
      const tenantId = required('tenantid', 'tenant id');
      const clientId = required('serviceprincipalid', 'service principal id');
      if ((e.param('authenticationType') ?? 'spnKey') === 'spnCertificate') {
        const certificatePem = required('servicePrincipalCertificate', 'certificate');
        setSecret(certificatePem);
        return { scheme: 'ServicePrincipalCertificate', tenantId, clientId, certificatePem, authorityHost: e.authorityHost };
      }
      const secret = required('serviceprincipalkey', 'service principal key');
      setSecret(secret);
      return { scheme: 'ServicePrincipal', tenantId, clientId, secret, authorityHost: e.authorityHost };
    }
    case 'managedserviceidentity':
      return { scheme: 'ManagedServiceIdentity', clientId: e.param('serviceprincipalid') };
    case 'workloadidentityfederation':
      if (e.systemAccessToken) setSecret(e.systemAccessToken);
      return {
        scheme: 'WorkloadIdentityFederation', tenantId: required('tenantid', 'tenant id'), clientId: required('serviceprincipalid', 'service principal id'),
        serviceConnectionId: e.id, systemAccessToken: e.systemAccessToken, oidcRequestUri: e.oidcRequestUri, authorityHost: e.authorityHost,
      };
    default:
      throw new InputError(`Azure service connection ${e.id} uses the unsupported scheme "${e.scheme}".`, { field: 'azureSubscription' },
        'Use a service principal (secret or certificate), managed identity or workload identity federation connection.');
  }
}

/** Human words for a scheme, for messages that say how a hub or registry was reached (never a secret). */
export const AZURE_AUTH_TEXT: Record<AzureConnection['scheme'], string> = {
  ServicePrincipal: 'service principal (secret)',
  ServicePrincipalCertificate: 'service principal (certificate)',
  ManagedServiceIdentity: 'managed identity',
  WorkloadIdentityFederation: 'workload identity federation',
};
