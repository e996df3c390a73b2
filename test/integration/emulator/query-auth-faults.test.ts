import * as assert from 'assert';
import { Registry } from 'azure-iothub';
import { RestApiClient } from 'azure-iothub/dist/common-http/rest_api_client';
import * as fs from 'fs';
import { EmulatorHttp } from '../../../shared/hub/clients';
import { withRetry } from '../../../shared/core/retry';
import { signSas } from '../../../emulator/auth';
import { startHub, TestHub } from '../../support/emulator';

type Err = Error & { response?: { statusCode: number; headers: Record<string, string> } };

describe('hub emulator: queries, auth and fault injection through azure-iothub', function () {
  this.timeout(30_000);
  let hub: TestHub;
  let registry: Registry;

  before(async () => {
    hub = await startHub();
    registry = hub.clients().registry;
    const devices = Array.from({ length: 25 }, (_, i) => ({ deviceId: `q-${String(i).padStart(2, '0')}`, capabilities: { iotEdge: i % 2 === 0 } }));
    for (let i = 0; i < devices.length; i += 10) await registry.addDevices(devices.slice(i, i + 10) as never);
    for (let i = 0; i < 25; i++) await registry.updateTwin(`q-${String(i).padStart(2, '0')}`, { tags: { ring: i % 3 } }, '*');
  });
  after(async () => { await hub?.stop(); });

  /** Registry with a hand-made Authorization value (for the auth failure cases). */
  function registryWithSas(sas: string): Registry {
    const ca = fs.readFileSync(hub.caFile, 'utf8');
    const host = `${hub.host}:${hub.port}`;
    return new Registry({ host, sharedAccessSignature: sas } as never, new RestApiClient({ host, sharedAccessSignature: sas } as never, 'test', new EmulatorHttp(ca)));
  }
  const token = (policy: string, key: string, se = Math.floor(Date.now() / 1000) + 600, sr = `${hub.host}:${hub.port}`) =>
    `SharedAccessSignature sr=${encodeURIComponent(sr)}&sig=${encodeURIComponent(signSas(encodeURIComponent(sr), String(se), key))}&se=${se}&skn=${policy}`;
  const policyKey = (name: string) => hub.emulator!.state.policies.find((p) => p.keyName === name)!.primaryKey;

  it('pages with x-ms-max-item-count and x-ms-continuation; no token on the last page', async () => {
    const q = registry.createQuery("SELECT * FROM devices WHERE STARTSWITH(deviceId, 'q-')", 10);
    const pages: number[] = [];
    const seen: string[] = [];
    while (q.hasMoreResults) {
      const page = await q.nextAsTwin();
      pages.push(page.result.length);
      seen.push(...page.result.map((t) => t.deviceId));
      assert.strictEqual(page.message.headers['x-ms-item-type'], 'Twin');
    }
    assert.deepStrictEqual(pages, [10, 10, 5]);
    assert.strictEqual(new Set(seen).size, 25);
    assert.strictEqual(q.continuationToken, undefined);
  });

  it('pages devices.modules and projections', async () => {
    const q = registry.createQuery("SELECT deviceId, moduleId FROM devices.modules WHERE moduleId = '$edgeAgent'", 4);
    const rows: unknown[] = [];
    while (q.hasMoreResults) {
      const page = await q.next(q.continuationToken as string);
      assert.strictEqual(page.message.headers['x-ms-item-type'], 'JSON');
      rows.push(...(page.result as unknown[]));
    }
    assert.strictEqual(rows.length, 13);
    assert.deepStrictEqual(rows[0], { deviceId: 'q-00', moduleId: '$edgeAgent' });
  });

  it('answers COUNT, GROUP BY and filtered queries', async () => {
    const count = (await registry.createQuery("SELECT COUNT() AS n FROM devices WHERE capabilities.iotEdge = true AND STARTSWITH(deviceId, 'q-')").next()).result;
    assert.deepStrictEqual(count, [{ n: 13 }]);
    const groups = (await registry.createQuery("SELECT tags.ring AS ring, COUNT() AS n FROM devices WHERE STARTSWITH(deviceId, 'q-') GROUP BY tags.ring").next()).result as { ring: number; n: number }[];
    assert.deepStrictEqual(groups.sort((a, b) => a.ring - b.ring), [{ ring: 0, n: 9 }, { ring: 1, n: 8 }, { ring: 2, n: 8 }]);
    const none = (await registry.createQuery("SELECT * FROM devices WHERE tags.ring = 7").next()).result;
    assert.deepStrictEqual(none, []);
  });

  it('rejects unsupported query syntax with a 400 ArgumentError naming it', async () => {
    await assert.rejects(registry.createQuery('SELECT * FROM devices ORDER BY deviceId').next(), (e: Error) => e.name === 'ArgumentError' && /ORDER/.test(e.message));
    await assert.rejects(registry.createQuery('SELECT * FROM devices.jobs').next(), (e: Error) => e.name === 'ArgumentError' && /devices\.jobs/.test(e.message));
  });

  it('refuses a wrong key, an unknown policy, an expired token and a device token with 401', async () => {
    const wrongKey = Buffer.alloc(32, 1).toString('base64');
    for (const sas of [
      token('iothubowner', wrongKey),
      token('nobody', policyKey('iothubowner')),
      token('iothubowner', policyKey('iothubowner'), Math.floor(Date.now() / 1000) - 10),
      token('iothubowner', policyKey('iothubowner'), undefined, 'other-hub.azure-devices.net'),
      `SharedAccessSignature sr=${hub.host}%3A${hub.port}%2Fdevices%2Fq-00&sig=abc&se=${Math.floor(Date.now() / 1000) + 60}`,
    ]) {
      await assert.rejects(registryWithSas(sas).get('q-00'), (e: Error) => e.name === 'UnauthorizedError');
    }
    // The same construction with the right key works (the failures above are about the token).
    assert.strictEqual((await registryWithSas(token('iothubowner', policyKey('iothubowner'))).get('q-00')).responseBody.deviceId, 'q-00');
  });

  it('enforces policy rights: registryRead cannot write, service cannot list identities', async () => {
    const reader = registryWithSas(token('registryRead', policyKey('registryRead')));
    assert.strictEqual((await reader.get('q-01')).responseBody.deviceId, 'q-01');
    await assert.rejects(reader.create({ deviceId: 'nope' }), (e: Error) => e.name === 'UnauthorizedError');
    const service = registryWithSas(token('service', policyKey('service')));
    await assert.rejects(service.list(), (e: Error) => e.name === 'UnauthorizedError');
    assert.strictEqual((await service.getTwin('q-01')).responseBody.deviceId, 'q-01');
    const cs = hub.emulator!.connectionString('registryReadWrite');
    const rw = (await import('../../../shared/hub/clients')).createHubClients({ connectionString: cs, caFile: hub.caFile }).registry;
    await rw.create({ deviceId: 'made-by-rw' });
  });

  it('injects 429 with Retry-After; withRetry honours it and then succeeds', async () => {
    hub.emulator!.faults.set([{ route: 'GET /devices/*', fault: 429, retryAfterSeconds: 1, times: 2 }]);
    try {
      await assert.rejects(registry.get('q-02'), (e: Err) => {
        assert.strictEqual(e.name, 'ThrottlingError');
        assert.strictEqual(e.response?.headers['retry-after'], '1');
        return true;
      });
      const delays: number[] = [];
      const started = Date.now();
      const d = await withRetry(() => registry.get('q-02'), { onRetry: (_e, _a, ms) => delays.push(ms) });
      assert.strictEqual(d.responseBody.deviceId, 'q-02');
      assert.deepStrictEqual(delays, [1000]);
      assert.ok(Date.now() - started >= 950);
    } finally {
      hub.emulator!.faults.set([]);
    }
  });

  it('injects 500 and 503 on a schedule and at a rate, per route', async () => {
    hub.emulator!.faults.set([
      { route: 'POST /devices/query', fault: 503, schedule: [2] },
      { route: 'GET /twins/*', fault: 500, rate: 0.5, seed: 42 },
    ]);
    try {
      await registry.createQuery('SELECT * FROM devices').next();
      await assert.rejects(registry.createQuery('SELECT * FROM devices').next(), (e: Error) => e.name === 'ServiceUnavailableError');
      await registry.createQuery('SELECT * FROM devices').next();
      let failures = 0;
      for (let i = 0; i < 40; i++) {
        try { await registry.getTwin('q-03'); } catch (e) { assert.strictEqual((e as Error).name, 'InternalServerError'); failures++; }
      }
      assert.ok(failures > 8 && failures < 32, `about half failed (${failures}/40)`);
      await registry.get('q-03'); // other routes untouched
    } finally {
      hub.emulator!.faults.set([]);
    }
  });

  it('stalls responses and accepts fault rules over the control endpoint', async () => {
    const ca = fs.readFileSync(hub.caFile, 'utf8');
    const host = `${hub.host}:${hub.port}`;
    const rest = new RestApiClient({ host, sharedAccessSignature: token('iothubowner', policyKey('iothubowner')) } as never, 'test', new EmulatorHttp(ca));
    const put = (body: unknown) => new Promise<unknown>((resolve, reject) =>
      rest.executeApiCall('PUT', '/_emulator/faults', { 'Content-Type': 'application/json; charset=utf-8' }, body, (err, res) => (err ? reject(err) : resolve(res))));
    await put([{ route: 'GET /devices/q-04', fault: 'stall', stallMs: 700, times: 1 }]);
    const started = Date.now();
    await registry.get('q-04');
    assert.ok(Date.now() - started >= 650, 'stalled');
    await put([]);
    await assert.rejects(put([{ route: 'nonsense', fault: 418 }]), (e: Error) => e.name === 'ArgumentError');
    const reader = new RestApiClient({ host, sharedAccessSignature: token('registryReadWrite', policyKey('registryReadWrite')) } as never, 'test', new EmulatorHttp(ca));
    await assert.rejects(new Promise((resolve, reject) => reader.executeApiCall('PUT', '/_emulator/faults', { 'Content-Type': 'application/json; charset=utf-8' }, [], (err, res) => (err ? reject(err) : resolve(res)))),
      (e: Error) => e.name === 'UnauthorizedError');
  });
});
