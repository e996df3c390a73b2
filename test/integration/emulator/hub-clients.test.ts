import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { createHubClients, EmulatorHttp, isEmulatorHost } from '../../../shared/hub/clients';
import { readHubInfo } from '../../../shared/hub/hub-info';
import { InputError } from '../../../shared/core/errors';
import { MemoryLogger } from '../../../shared/core/logger';
import { startHub, startHubProcess, TestHub } from '../../support/emulator';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin', 'edgeops.js'), ...args], (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('shared/hub client factory (the SDK seam) and the hub CLI', function () {
  this.timeout(60_000);
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-hubclients-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('pins azure-iothub to the exact version whose internals the emulator path relies on', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.strictEqual(pkg.dependencies['azure-iothub'], '1.16.6');
    const installed = JSON.parse(fs.readFileSync(require.resolve('azure-iothub/package.json'), 'utf8')) as { version: string };
    assert.strictEqual(installed.version, '1.16.6');
  });

  it('uses the stock SDK for a real hub name and the emulator path for host:port', () => {
    assert.strictEqual(isEmulatorHost('myhub.azure-devices.net'), false);
    assert.strictEqual(isEmulatorHost('127.0.0.1:8443'), true);
    const log = new MemoryLogger();
    const key = Buffer.alloc(32, 3).toString('base64');
    const real = createHubClients({ connectionString: `HostName=myhub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${key}`, log });
    assert.strictEqual(real.emulator, false);
    assert.ok(real.registry instanceof Registry);
    log.info(`key is ${key}`);
    assert.ok(!log.lines.join('\n').includes(key), 'the key is registered as a secret');
    const cred = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 3600_000 }) };
    const entra = createHubClients({ hostName: 'myhub.azure-devices.net', credential: cred });
    assert.strictEqual(entra.emulator, false);
    assert.throws(() => createHubClients({ connectionString: `HostName=127.0.0.1:1;SharedAccessKeyName=x;SharedAccessKey=${key}` }), InputError);
    assert.throws(() => createHubClients({ connectionString: 'HostName=nope' }), (e: unknown) => e instanceof InputError && !String((e as Error).message).includes(key));
  });

  it('reaches the emulator only when its CA is trusted', async () => {
    const hub = await startHub();
    try {
      const ok = createHubClients({ hubInfoFile: hub.hubInfoFile });
      assert.strictEqual(ok.emulator, true);
      await ok.registry.create({ deviceId: 'via-info' });
      // Another CA (a second emulator's) must not be accepted: TLS verification is real.
      const other = await startHub();
      try {
        const wrong = createHubClients({ connectionString: hub.connectionString, caFile: other.caFile });
        await assert.rejects(wrong.registry.get('via-info'), /certificate|self.signed|unable to verify/i);
      } finally { await other.stop(); }
      const http = new EmulatorHttp('x');
      http.setOptions({ http: { agent: undefined } });
      assert.strictEqual((http as unknown as { _options: { ca: string } })._options.ca, 'x', 'CA survives the SDK resetting options');
    } finally { await hub.stop(); }
  });

  it('reads hub-info files and names the field, line and column of mistakes', () => {
    const good = path.join(tmp, 'info.json');
    fs.writeFileSync(good, JSON.stringify({ connectionString: 'HostName=a:1;SharedAccessKeyName=b;SharedAccessKey=c', caFile: 'ca.pem', host: 'a', port: 1 }));
    assert.strictEqual(readHubInfo(good).caFile, path.join(tmp, 'ca.pem'));
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{\n  "connectionString": "x",\n  "caFile": "ca.pem",\n  "host": "a",\n  "port": "443"\n}');
    assert.throws(() => readHubInfo(bad), (e: unknown) => e instanceof InputError && e.location?.line === 5 && /port/.test(e.message));
  });

  it('keeps identities, twins and deployments across a restart of `edgeops hub start --state`', async () => {
    const stateDir = path.join(tmp, 'state');
    let hub: TestHub = await startHubProcess({ stateDir });
    const first = { cs: hub.connectionString, ca: fs.readFileSync(hub.caFile, 'utf8') };
    try {
      const { registry } = hub.clients();
      await registry.create({ deviceId: 'persist-1', capabilities: { iotEdge: true } } as never);
      await registry.updateTwin('persist-1', { tags: { env: 'dev' } }, '*');
      await registry.addConfiguration({
        id: 'keep', priority: 1, targetCondition: "tags.env = 'dev'", schemaVersion: '1.0',
        content: { modulesContent: { $edgeAgent: { 'properties.desired': { modules: { a: { settings: { image: 'a:1' } } } } }, $edgeHub: { 'properties.desired': { routes: {} } } } },
      } as never);
    } finally { await hub.stop(); }
    assert.strictEqual(hub.exitCode, 0, 'SIGTERM stops the CLI with exit code 0');
    assert.ok(fs.existsSync(path.join(stateDir, 'hub.json')));
    assert.ok(fs.existsSync(path.join(stateDir, 'tls', 'ca.pem')));

    hub = await startHubProcess({ stateDir });
    try {
      assert.strictEqual(fs.readFileSync(hub.caFile, 'utf8'), first.ca, 'same CA after restart');
      assert.strictEqual(hub.connectionString.split(';').slice(1).join(';'), first.cs.split(';').slice(1).join(';'), 'same policy key');
      const { registry } = hub.clients();
      assert.strictEqual((await registry.getTwin('persist-1')).responseBody.tags.env, 'dev');
      const agent = (await registry.getModuleTwin('persist-1', '$edgeAgent')).responseBody.properties.desired as Record<string, any>;
      assert.strictEqual(agent.modules.a.settings.image, 'a:1');
      assert.strictEqual((await registry.getConfiguration('keep')).responseBody.systemMetrics!.results!.appliedCount, 1);

      // The CLI against the running hub.
      const created = await cli(['hub', 'device', 'create', 'cli-1', '--edge', '--tags', '{"env":"dev"}', '--hub-info', hub.hubInfoFile]);
      assert.strictEqual(created.code, 0, created.stderr);
      assert.match(created.stdout, /Device 'cli-1' created \(IoT Edge\)/);
      const query = await cli(['hub', 'query', "SELECT deviceId FROM devices WHERE tags.env = 'dev'", '--hub-info', hub.hubInfoFile, '--page-size', '1']);
      assert.strictEqual(query.code, 0, query.stderr);
      assert.deepStrictEqual((JSON.parse(query.stdout) as { deviceId: string }[]).map((r) => r.deviceId).sort(), ['cli-1', 'persist-1']);
      const badQuery = await cli(['hub', 'query', 'SELECT * FROM devices ORDER BY x', '--hub-info', hub.hubInfoFile]);
      assert.strictEqual(badQuery.code, 1);
      assert.match(badQuery.stderr, /ORDER/);
      assert.doesNotMatch(badQuery.stderr, /\n\s+at /, 'no stack trace');
      const badTags = await cli(['hub', 'device', 'create', 'x', '--tags', '{nope', '--hub-info', hub.hubInfoFile]);
      assert.strictEqual(badTags.code, 1);
      assert.match(badTags.stderr, /--tags:1:2/);
    } finally { await hub.stop(); }
  });
});
