import { strict as assert } from 'assert';
import { azureConnectionFromEndpoint, AzureEndpointFields } from '../../../shared/auth/azure-endpoint';

const fields = (scheme: string, params: Record<string, string>, extra: Partial<AzureEndpointFields> = {}): AzureEndpointFields => ({
  id: 'arm', scheme, param: (k) => params[k] || undefined, systemAccessToken: '', ...extra,
});

describe('auth/azure-endpoint', () => {
  it('reads each scheme and registers secrets as they are read', () => {
    const masked: string[] = [];
    const mask = (v: string) => masked.push(v);
    assert.deepEqual(azureConnectionFromEndpoint(fields('ServicePrincipal', { tenantid: 't', serviceprincipalid: 'c', serviceprincipalkey: 'k' }, { authorityHost: 'h' }), mask),
      { scheme: 'ServicePrincipal', tenantId: 't', clientId: 'c', secret: 'k', authorityHost: 'h' });
    assert.equal(azureConnectionFromEndpoint(fields('ServicePrincipal', { tenantid: 't', serviceprincipalid: 'c', authenticationType: 'spnCertificate', servicePrincipalCertificate: 'PEM' }), mask).scheme, 'ServicePrincipalCertificate');
    assert.deepEqual(azureConnectionFromEndpoint(fields('ManagedServiceIdentity', {}), mask), { scheme: 'ManagedServiceIdentity', clientId: undefined });
    const wif = azureConnectionFromEndpoint(fields('WorkloadIdentityFederation', { tenantid: 't', serviceprincipalid: 'c' }, { systemAccessToken: 'tok', oidcRequestUri: 'https://oidc' }), mask);
    assert.deepEqual(wif, { scheme: 'WorkloadIdentityFederation', tenantId: 't', clientId: 'c', serviceConnectionId: 'arm', systemAccessToken: 'tok', oidcRequestUri: 'https://oidc', authorityHost: undefined });
    assert.deepEqual(masked, ['k', 'PEM', 'tok']);
  });

  it('names the connection and the missing field, and refuses unknown schemes', () => {
    assert.throws(() => azureConnectionFromEndpoint(fields('ServicePrincipal', { tenantid: 't' }), () => {}), /Service connection arm has no service principal id \(serviceprincipalid\)/);
    assert.throws(() => azureConnectionFromEndpoint(fields('UsernamePassword', {}), () => {}), /unsupported scheme "UsernamePassword"/);
  });
});
