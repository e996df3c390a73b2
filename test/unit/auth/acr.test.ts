import { strict as assert } from 'assert';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { ACR_TOKEN_USER, AcrAuthProvider } from '../../../shared/auth/acr';
import { BasicAuthProvider } from '../../../shared/auth/generic';
import { credentialFor } from '../../../shared/auth/azure-credential';
import { normalizeServer } from '../../../shared/auth/provider';
import { MemoryLogger } from '../../../shared/core/logger';
import { fakeRegistry, FakeRegistry } from '../registry/fake-registry';

const cred = (token: string | Error): TokenCredential => ({
  async getToken(): Promise<AccessToken> {
    if (token instanceof Error) throw token;
    return { token, expiresOnTimestamp: Date.now() + 3600_000 };
  },
});

describe('auth/acr', () => {
  let srv: FakeRegistry | undefined;
  afterEach(async () => { await srv?.close(); srv = undefined; });

  it('exchanges the Azure AD token for a refresh token used with the all-zero user, masking both', async () => {
    let body = '';
    srv = await fakeRegistry((req, res) => {
      let b = '';
      req.on('data', (c) => { b += c; });
      req.on('end', () => {
        body = b;
        res.writeHead(req.url === '/oauth2/exchange' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ refresh_token: 'refresh-abcdef' }));
      });
    });
    const log = new MemoryLogger();
    const p = new AcrAuthProvider({ loginServer: 'https://MyAcr.azurecr.io/', credential: cred('aad-token-xyz'), tenantId: 't1', logger: log, baseUrl: `http://${srv.address}` });
    assert.equal(p.server, 'myacr.azurecr.io');
    const login = await p.getLogin();
    assert.deepEqual(login, { server: 'myacr.azurecr.io', username: ACR_TOKEN_USER, password: 'refresh-abcdef' });
    const form = new URLSearchParams(body);
    assert.equal(form.get('grant_type'), 'access_token');
    assert.equal(form.get('service'), 'myacr.azurecr.io');
    assert.equal(form.get('tenant'), 't1');
    assert.equal(form.get('access_token'), 'aad-token-xyz');
    assert.equal(log.masker.mask('aad-token-xyz refresh-abcdef'), '*** ***');
  });

  it('names the registry when the token is refused or Azure AD fails', async () => {
    srv = await fakeRegistry((_req, res) => { res.writeHead(401).end(); });
    const p = new AcrAuthProvider({ loginServer: 'a.azurecr.io', credential: cred('t'), logger: new MemoryLogger(), baseUrl: `http://${srv.address}` });
    await assert.rejects(p.getLogin(), /authentication failed for a\.azurecr\.io: the registry refused/);
    const q = new AcrAuthProvider({ loginServer: 'a.azurecr.io', credential: cred(new Error('AADSTS7000215: Invalid client secret')), logger: new MemoryLogger() });
    await assert.rejects(q.getLogin(), /authentication failed for a\.azurecr\.io: could not get an Azure AD token \(AADSTS7000215/);
  });

  it('an unreachable login server fails fast with the registry named', async () => {
    let sleeps = 0;
    const p = new AcrAuthProvider({ loginServer: 'a.azurecr.io', credential: cred('t'), logger: new MemoryLogger(), baseUrl: 'http://127.0.0.1:1',
      retry: { sleep: async () => { sleeps++; } } });
    await assert.rejects(p.getLogin(), /registry unreachable: a\.azurecr\.io \(connection refused\)/);
    assert.equal(sleeps, 0, 'not retried');
  });

  it('builds the @azure/identity credential per connection scheme, masking secrets', () => {
    const log = new MemoryLogger();
    assert.equal(credentialFor({ scheme: 'ServicePrincipal', tenantId: 't', clientId: 'c', secret: 'sp-secret' }, log).constructor.name, 'ClientSecretCredential');
    assert.equal(credentialFor({ scheme: 'ManagedServiceIdentity' }, log).constructor.name, 'ManagedIdentityCredential');
    const saved = process.env.SYSTEM_OIDCREQUESTURI;
    delete process.env.SYSTEM_OIDCREQUESTURI;
    try {
      assert.throws(() => credentialFor({ scheme: 'WorkloadIdentityFederation', tenantId: 't', clientId: 'c', serviceConnectionId: 'sc', systemAccessToken: 'sys-token' }, log), /System\.OidcRequestUri/);
      assert.equal(credentialFor({ scheme: 'WorkloadIdentityFederation', tenantId: 't', clientId: 'c', serviceConnectionId: 'sc', systemAccessToken: 'sys-token',
        oidcRequestUri: 'https://dev.azure.com/o/p/_apis/distributedtask/hubs/build/plans/x/jobs/y/oidctoken' }, log).constructor.name, 'AzurePipelinesCredential');
    } finally {
      if (saved === undefined) delete process.env.SYSTEM_OIDCREQUESTURI; else process.env.SYSTEM_OIDCREQUESTURI = saved;
    }
    assert.throws(() => credentialFor({ scheme: 'WorkloadIdentityFederation', tenantId: 't', clientId: 'c', serviceConnectionId: 'sc', systemAccessToken: '' }, log), /System\.AccessToken/);
    assert.equal(log.masker.mask('sp-secret sys-token'), '*** ***');
  });

  it('basic provider normalizes the server and refuses empty credentials', async () => {
    assert.equal(normalizeServer('https://Reg.Example:5000/v1/'), 'reg.example:5000');
    assert.deepEqual(await new BasicAuthProvider('https://r:5000', 'u', 'p').getLogin(), { server: 'r:5000', username: 'u', password: 'p' });
    assert.throws(() => new BasicAuthProvider('r', 'u', ''), /No password for registry r/);
  });
});
