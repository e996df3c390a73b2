import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Message, ModuleClient } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { Client, Registry } from 'azure-iothub';
import { MemoryLogger } from '../../../shared/core/logger';
import { emulatorDeviceConnectionString } from '../../../shared/hub/device-connection';
import { emulatorTelemetry, registrySmokeHub, runSmokeWithEvidence } from '../../../shared/smoke';
import { startHub, TestHub } from '../../support/emulator';
import { deploymentContent, FakeFleet } from './fleet';

/** Optional checks: telemetry since the deployment (emulator) and health direct methods, through azure-iot-device modules. */
describe('smoke: telemetry and health direct methods', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  let client: Client;
  let hostName: string;
  let fleet: FakeFleet;
  let tmp: string;
  const modules: ModuleClient[] = [];

  const sensor = async (deviceId: string, answer: number) => {
    await registry.addModule({ deviceId, moduleId: 'sensor' });
    const key = (await registry.getModule(deviceId, 'sensor')).responseBody.authentication!.symmetricKey!.primaryKey!;
    const m = ModuleClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, key, 'sensor'), Mqtt);
    await m.setOptions({ ca: fs.readFileSync(hub.caFile, 'utf8') });
    await m.open();
    m.onMethod('health', (_req, res) => { void res?.send(answer, { ok: answer === 200 }); });
    modules.push(m);
    return m;
  };

  before(async () => {
    hub = await startHub();
    ({ registry, client, hostName } = hub.clients());
    fleet = new FakeFleet(hub.emulator!);
    fleet.add(['o-talk', 'o-quiet', 'o-sick'], 'healthy', { env: 'opt' });
    await registry.addConfiguration({ id: 'opt-1', priority: 10, schemaVersion: '1.0', targetCondition: "tags.env='opt'", content: deploymentContent('1.0') } as never);
    const talk = await sensor('o-talk', 200);
    await sensor('o-quiet', 200);
    const sick = await sensor('o-sick', 503);
    await talk.sendEvent(new Message(JSON.stringify({ t: 21.5 })));
    await sick.sendEvent(new Message(JSON.stringify({ t: 99 })));
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-smoke-opt-'));
  });
  after(async () => {
    for (const m of modules) await m.close().catch(() => undefined);
    fleet?.stop();
    await hub?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a silent module fails "telemetry"; a module whose health method answers 503 fails "health direct methods"', async () => {
    const log = new MemoryLogger();
    const r = await runSmokeWithEvidence({
      hub: registrySmokeHub(registry, client, hostName, { logger: log }), logger: log, deploymentId: 'opt-1', timeoutMs: 1500, pollIntervalMs: 200, stabilityMs: 0,
      rule: { threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline: 'fail' }, junitPath: path.join(tmp, 'j.xml'), summaryDir: tmp,
      telemetry: emulatorTelemetry({ hubInfoFile: hub.hubInfoFile }), moduleMethods: { sensor: 'health' },
    });
    const d = new Map(r.report.devices.map((x) => [x.deviceId, x]));
    assert.equal(d.get('o-talk')!.state, 'passed', JSON.stringify(d.get('o-talk')));
    assert.deepEqual(d.get('o-talk')!.checks.map((c) => c.name), ['available', 'connected', 'manifestApplied', 'modulesOnline', 'telemetry', 'healthMethods']);
    assert.match(d.get('o-quiet')!.reason!, /^no telemetry since .* from sensor$/);
    assert.equal(d.get('o-sick')!.reason, 'sensor.health answered 503: {"ok":false}');
    assert.match(fs.readFileSync(path.join(tmp, 'j.xml'), 'utf8'), /classname="o-quiet" name="telemetry since deployment"[^>]*>\s*<failure/);
  });

  it('telemetry from a real hub is refused with a clear message', () => {
    assert.throws(() => emulatorTelemetry({ connectionString: 'HostName=contoso.azure-devices.net;SharedAccessKeyName=service;SharedAccessKey=' + Buffer.alloc(32).toString('base64') }),
      /not the local emulator: telemetry from a real IoT hub is read from its Event Hubs endpoint/);
  });
});
