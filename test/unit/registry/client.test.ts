import { strict as assert } from 'assert';
import { RegistryClient } from '../../../shared/registry/client';
import { parseChallenge } from '../../../shared/registry/challenge';
import { MemoryLogger } from '../../../shared/core/logger';
import { fakeRegistry, FakeRegistry } from './fake-registry';

const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { digest: 'sha256:' + 'c'.repeat(64) } });
const DIGEST = 'sha256:' + 'd'.repeat(64);
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };

describe('registry/client', () => {
  let reg: FakeRegistry | undefined;
  afterEach(async () => { await reg?.close(); reg = undefined; });

  it('parses Bearer and Basic challenges', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://a/token",service="a",scope="repository:x:pull"'),
      { scheme: 'bearer', params: { realm: 'https://a/token', service: 'a', scope: 'repository:x:pull' } });
    assert.deepEqual(parseChallenge('Basic realm="r"'), { scheme: 'basic', params: { realm: 'r' } });
  });

  it('answers a Bearer challenge with a token fetched with the credentials, and asks for the right manifest types', async () => {
    let accept = '';
    reg = await fakeRegistry((req, res) => {
      if (req.url!.startsWith('/token')) {
        const ok = req.headers.authorization === 'Basic ' + Buffer.from('u:p4ssword').toString('base64') && req.url!.includes('scope=repository%3Aedge%2Fm%3Apull');
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(ok ? JSON.stringify({ token: 'tok-123456' }) : '');
        return;
      }
      if (req.headers.authorization !== 'Bearer tok-123456') {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake"` }).end();
        return;
      }
      accept = String(req.headers.accept);
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'docker-content-digest': DIGEST }).end(MANIFEST);
    });
    const log = new MemoryLogger();
    const c = new RegistryClient({ address: reg.address, scheme: 'http', credentials: { username: 'u', password: 'p4ssword' }, retry: fast, logger: log });
    const img = await c.getImage('edge/m', '1-amd64');
    assert.deepEqual(img, { digest: DIGEST, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', configDigest: 'sha256:' + 'c'.repeat(64) });
    assert.match(accept, /application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
    assert.match(accept, /application\/vnd\.oci\.image\.manifest\.v1\+json/);
    assert.equal(log.masker.mask('tok-123456 p4ssword'), '*** ***', 'token and password are secrets');
  });

  it('says "authentication failed for <registry>" when the credentials are refused', async () => {
    reg = await fakeRegistry((_req, res) => { res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end(); });
    const c = new RegistryClient({ address: reg.address, scheme: 'http', credentials: { username: 'u', password: 'bad' }, retry: fast });
    await assert.rejects(c.ping(), new RegExp(`authentication failed for ${reg.address}`));
  });

  it('retries 503 and 429 (honoring Retry-After) and dropped connections, then succeeds', async () => {
    reg = await fakeRegistry((req, res, n) => {
      if (n === 1) { res.writeHead(503).end(); return; }
      if (n === 2) { res.writeHead(429, { 'retry-after': '0' }).end(); return; }
      if (n === 3) { req.socket.destroy(); return; }
      res.writeHead(200, { 'docker-content-digest': DIGEST }).end();
    });
    const c = new RegistryClient({ address: reg.address, scheme: 'http', retry: fast });
    assert.equal(await c.headDigest('edge/m', '1'), DIGEST);
    assert.equal(reg.requests.length, 4);
  });

  it('returns undefined for a missing tag and a clear error for a persistent 500', async () => {
    reg = await fakeRegistry((req, res) => { res.writeHead(req.url!.includes('missing') ? 404 : 500).end('boom'); });
    const c = new RegistryClient({ address: reg.address, scheme: 'http', retry: fast });
    assert.equal(await c.getImage('edge/m', 'missing'), undefined);
    await assert.rejects(c.getImage('edge/m', 'x'), /returned HTTP 500 boom/);
  });

  it('fails fast on a connection refused at first contact, naming the registry', async () => {
    let sleeps = 0;
    const retry = { sleep: async () => { sleeps++; } };
    await assert.rejects(new RegistryClient({ address: '127.0.0.1:1', scheme: 'http', retry }).ping(), /registry unreachable: 127\.0\.0\.1:1 \(connection refused\)/);
    // Scheme discovery (https first) fails the same way.
    await assert.rejects(new RegistryClient({ address: '127.0.0.1:1', retry }).ping(), /registry unreachable: 127\.0\.0\.1:1 \(connection refused\)/);
    assert.equal(sleeps, 0, 'no retry for a registry that never answered');
  });

  it('still retries a refused connection once the registry has answered, and a reset mid-transfer', async () => {
    let sleeps = 0;
    const retry = { retries: 2, sleep: async () => { sleeps++; } };
    reg = await fakeRegistry((_req, res, n) => {
      if (n === 2) { res.socket?.destroy(); return; } // dropped connection: retried
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const c = new RegistryClient({ address: reg.address, scheme: 'http', retry });
    await c.ping();
    await c.ping();
    assert.equal(sleeps, 1, 'the reset was retried once');
    await reg.close();
    reg = undefined;
    await assert.rejects(c.ping(), /registry unreachable: .*connection refused/);
    assert.equal(sleeps, 3, 'a registry that went away mid-run gets the retries');
  });

  it('falls back to plain http only for loopback registries', async () => {
    reg = await fakeRegistry((_req, res) => { res.writeHead(200).end('{}'); });
    const c = new RegistryClient({ address: reg.address, retry: fast });
    await c.ping();
    assert.equal(reg.requests.length, 1, 'https attempt failed at TLS, http answered');
  });
});
