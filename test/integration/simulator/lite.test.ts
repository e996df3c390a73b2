import * as assert from 'assert';
import * as fs from 'fs';
import { DeviceSimulator, liteLinks } from '../../../emulator/simulator';
import { readHubInfo } from '../../../shared/hub/hub-info';
import { startHub, TestHub } from '../../support/emulator';
import { startRegistry, TestRegistry } from '../../support/registry';
import { pushConfigOnlyImage } from './oci-push';

/** The lite MQTT client (for 10k-device runs) gives the same twins as the SDK path. */
describe('edge-device simulator with the lite MQTT client', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let reg: TestRegistry;
  let sim: DeviceSimulator;
  before(async () => {
    hub = await startHub();
    reg = await startRegistry();
    await pushConfigOnlyImage(reg.url, 'lite/app', '2.0');
    const info = readHubInfo(hub.hubInfoFile);
    sim = new DeviceSimulator({ hubInfo: info, count: 3, prefix: 'lite-', links: liteLinks(info, fs.readFileSync(info.caFile, 'utf8')) });
    await sim.start();
  });
  after(async () => { await sim?.stop(); await hub?.stop(); await reg?.stop(); });

  it('connects, converges on a deployment, answers ping; refuses a wrong key', async () => {
    const { registry, client } = hub.clients();
    await registry.addConfiguration({ id: 'lite-1', priority: 1, targetCondition: "STARTSWITH(deviceId, 'lite-')", schemaVersion: '1.0', labels: {}, content: { modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: {} },
        systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } }, edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } } },
        modules: { app: { type: 'docker', status: 'running', restartPolicy: 'always', version: '2.0', settings: { image: `${reg.address}/lite/app:2.0` } } } } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } } } as any);
    const q = `SELECT COUNT() AS n FROM devices.modules WHERE moduleId = '$edgeAgent' AND STARTSWITH(deviceId, 'lite-') AND properties.reported.lastDesiredVersion = properties.desired.$version AND properties.reported.lastDesiredStatus.code = 200 AND properties.reported.modules.app.runtimeStatus = 'running'`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const n = ((await registry.createQuery(q).next()).result as unknown as { n: number }[])[0]?.n;
      if (n === 3) break;
      if (Date.now() > deadline) throw new Error(`converged: ${n}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.strictEqual(((await registry.getTwin('lite-0002')).responseBody as any).connectionState, 'Connected');
    const ping = await client.invokeDeviceMethod('lite-0001', '$edgeAgent', { methodName: 'ping', payload: null, responseTimeoutInSeconds: 5 });
    assert.strictEqual(ping.result.status, 200);
    const info = readHubInfo(hub.hubInfoFile);
    const bad = liteLinks(info, fs.readFileSync(info.caFile, 'utf8')).device('lite-0001', Buffer.alloc(32, 1).toString('base64'));
    await assert.rejects(bad.open(), /CONNACK 5/);
  });
});
