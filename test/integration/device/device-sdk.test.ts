import * as assert from 'assert';
import * as fs from 'fs';
import { Client as DeviceClient, Message, ModuleClient, Twin } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { Client as ServiceClient, Registry } from 'azure-iothub';
import { emulatorDeviceConnectionString } from '../../../shared/hub/device-connection';
import { TelemetryReader } from '../../../shared/hub/telemetry';
import { startHub, startHubProcess, TestHub } from '../../support/emulator';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The emulator's device side through the UNMODIFIED azure-iot-device + azure-iot-device-mqtt clients. */
describe('hub emulator device side: azure-iot-device over MQTT', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  let service: ServiceClient;
  let ca: string;
  const open: { close(): Promise<unknown> }[] = [];

  const keyOf = async (deviceId: string, moduleId?: string) => {
    const body = moduleId ? (await registry.getModule(deviceId, moduleId)).responseBody : (await registry.get(deviceId)).responseBody;
    return body.authentication!.symmetricKey!.primaryKey!;
  };
  const connectDevice = async (deviceId: string, key?: string) => {
    const c = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, key ?? await keyOf(deviceId)), Mqtt);
    await c.setOptions({ ca });
    await c.open();
    open.push(c);
    return c;
  };
  const connectModule = async (deviceId: string, moduleId: string) => {
    const c = ModuleClient.fromConnectionString(emulatorDeviceConnectionString(hub, deviceId, await keyOf(deviceId, moduleId), moduleId), Mqtt);
    await c.setOptions({ ca });
    await c.open();
    open.push(c);
    return c;
  };

  before(async () => {
    hub = await startHub();
    ({ registry, client: service } = hub.clients());
    ca = fs.readFileSync(hub.caFile, 'utf8');
    assert.ok(hub.mqttPort, 'hub info carries mqttPort');
    for (const id of ['dev-a', 'dev-b', 'dev-c']) await registry.create({ deviceId: id });
    await registry.create({ deviceId: 'edge-1', capabilities: { iotEdge: true } } as Parameters<Registry['create']>[0]);
    await registry.addModule({ deviceId: 'edge-1', moduleId: 'sensor' });
    await registry.addModule({ deviceId: 'edge-1', moduleId: 'filter' });
  });

  afterEach(async () => {
    while (open.length) await open.pop()!.close().catch(() => undefined);
  });

  after(async () => { await hub?.stop(); });

  it('refuses a wrong key (CONNACK 5 → UnauthorizedError) and an unknown device', async () => {
    const wrong = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(hub, 'dev-a', Buffer.alloc(32, 7).toString('base64')), Mqtt);
    await wrong.setOptions({ ca });
    await assert.rejects(wrong.open(), (e: Error) => e.name === 'UnauthorizedError' || /Not authorized|unauthori/i.test(e.message));
    const key = await keyOf('dev-a');
    const ghost = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(hub, 'ghost', key), Mqtt);
    await ghost.setOptions({ ca });
    await assert.rejects(ghost.open());
    assert.strictEqual(((await registry.getTwin('dev-a')).responseBody as any).connectionState, 'Disconnected');
  });

  it('connectionState and lastActivityTime follow the connection', async () => {
    const before = Date.now();
    const c = await connectDevice('dev-a');
    const twin = (await registry.getTwin('dev-a')).responseBody as unknown as { connectionState: string; lastActivityTime: string };
    assert.strictEqual(twin.connectionState, 'Connected');
    assert.ok(Date.parse(twin.lastActivityTime) >= before - 1000);
    assert.strictEqual((await registry.get('dev-a')).responseBody.connectionState, 'Connected');
    await c.close();
    open.pop();
    await until('Disconnected', async () => ((await registry.getTwin('dev-a')).responseBody as any).connectionState === 'Disconnected');
  });

  it('twin: GET, reported patch (service sees it with $version), desired pushed only to its own device', async () => {
    await registry.updateTwin('dev-a', { properties: { desired: { interval: 5 } } }, '*');
    const a = await connectDevice('dev-a');
    const b = await connectDevice('dev-b');
    const twinA: Twin = await a.getTwin();
    assert.strictEqual(twinA.properties.desired.interval, 5);
    assert.strictEqual(typeof twinA.properties.desired.$version, 'number');
    await new Promise<void>((resolve, reject) => twinA.properties.reported.update({ fw: '1.2.3', nested: { ok: true } }, (e?: Error) => (e ? reject(e) : resolve())));
    const reported = (await registry.getTwin('dev-a')).responseBody.properties.reported as Record<string, any>;
    assert.strictEqual(reported.fw, '1.2.3');
    assert.deepStrictEqual(reported.nested, { ok: true });
    assert.ok(reported.$version >= 2);

    const twinB: Twin = await b.getTwin();
    const gotA: Record<string, any>[] = [];
    const gotB: Record<string, any>[] = [];
    twinA.on('properties.desired', (d: Record<string, any>) => gotA.push(d));
    twinB.on('properties.desired', (d: Record<string, any>) => gotB.push(d));
    await sleep(100);
    gotA.length = 0; gotB.length = 0; // the SDK replays the current desired on subscribe
    await registry.updateTwin('dev-a', { properties: { desired: { interval: 9 } } }, '*');
    const patch = await until('desired push', () => gotA.find((d) => d.interval === 9));
    const serverVersion = (await registry.getTwin('dev-a')).responseBody.properties.desired.$version;
    assert.strictEqual(patch.$version, serverVersion);
    await sleep(300);
    assert.deepStrictEqual(gotB, [], 'device B must not see device A\'s desired patch');
  });

  it('direct methods: service → device and back; 404103 when not connected; 504 after responseTimeoutInSeconds', async () => {
    await assert.rejects(service.invokeDeviceMethod('dev-c', { methodName: 'reboot', payload: {}, responseTimeoutInSeconds: 5 }),
      (e: any) => e.response?.statusCode === 404 && /404103|DeviceNotOnline/.test(String(e.responseBody ?? e.message)));
    const c = await connectDevice('dev-c');
    const other = await connectDevice('dev-b');
    let otherCalled = false;
    other.onDeviceMethod('reboot', (_req, res) => { otherCalled = true; res!.send(200, {}, () => undefined); });
    c.onDeviceMethod('reboot', (req, res) => { res!.send(201, { echo: req.payload, name: req.methodName }, () => undefined); });
    c.onDeviceMethod('hang', () => { /* never answers */ });
    await sleep(200); // subscriptions settle
    const r = await service.invokeDeviceMethod('dev-c', { methodName: 'reboot', payload: { delay: 3 }, responseTimeoutInSeconds: 10 });
    assert.strictEqual(r.result.status, 201);
    assert.deepStrictEqual(r.result.payload, { echo: { delay: 3 }, name: 'reboot' });
    assert.strictEqual(otherCalled, false, 'only the target device receives the call');
    const t0 = Date.now();
    await assert.rejects(service.invokeDeviceMethod('dev-c', { methodName: 'hang', payload: null, responseTimeoutInSeconds: 1 }),
      (e: any) => e.response?.statusCode === 504);
    assert.ok(Date.now() - t0 >= 900, '504 only after the response timeout');
  });

  it('module direct methods and module twins', async () => {
    const m = await connectModule('edge-1', 'sensor');
    m.onMethod('ping', (_req, res) => { res!.send(200, null, () => undefined); });
    const mt = await m.getTwin();
    await new Promise<void>((resolve, reject) => mt.properties.reported.update({ state: 'ok' }, (e?: Error) => (e ? reject(e) : resolve())));
    assert.strictEqual(((await registry.getModuleTwin('edge-1', 'sensor')).responseBody.properties.reported as any).state, 'ok');
    assert.strictEqual(((await registry.getModuleTwin('edge-1', 'sensor')).responseBody as any).connectionState, 'Connected');
    await sleep(200);
    const r = await service.invokeDeviceMethod('edge-1', 'sensor', { methodName: 'ping', payload: null, responseTimeoutInSeconds: 5 });
    assert.strictEqual(r.result.status, 200);
    await assert.rejects(service.invokeDeviceMethod('edge-1', 'filter', { methodName: 'ping', payload: null, responseTimeoutInSeconds: 5 }), (e: any) => e.response?.statusCode === 404);
  });

  it('telemetry from devices and modules is kept and queryable; module outputs reach routed inputs', async () => {
    const since = new Date();
    const d = await connectDevice('dev-a');
    const sensor = await connectModule('edge-1', 'sensor');
    const filter = await connectModule('edge-1', 'filter');
    await registry.updateModuleTwin('edge-1', '$edgeHub', { properties: { desired: { schemaVersion: '1.1', routes: { s2f: 'FROM /messages/modules/sensor/outputs/temperature INTO BrokeredEndpoint("/modules/filter/inputs/input1")' } } } }, '*');
    const inputs: { name: string; body: string }[] = [];
    filter.on('inputMessage', (name: string, msg: Message) => { inputs.push({ name, body: msg.getData().toString() }); filter.complete(msg, () => undefined); });
    await sleep(300);
    const msg = new Message(JSON.stringify({ t: 21.5 }));
    msg.properties.add('alert', 'no');
    msg.messageId = 'm-1';
    await d.sendEvent(msg);
    await sensor.sendOutputEvent('temperature', new Message(JSON.stringify({ t: 30 })));

    const reader = new TelemetryReader({ hubInfoFile: hub.hubInfoFile });
    const fromDevice = await reader.messages({ deviceId: 'dev-a', since });
    assert.strictEqual(fromDevice.length, 1);
    assert.deepStrictEqual(JSON.parse(fromDevice[0].body), { t: 21.5 });
    assert.strictEqual(fromDevice[0].properties.alert, 'no');
    assert.strictEqual(fromDevice[0].properties['$.mid'], 'm-1');
    assert.strictEqual(fromDevice[0].moduleId, undefined);
    assert.ok(await reader.sentSince('edge-1', 'sensor', since));
    assert.ok(!(await reader.sentSince('edge-1', 'filter', since)));
    assert.ok(!(await reader.sentSince('edge-1', 'sensor', new Date(Date.now() + 60_000))));
    const [mod] = await reader.messages({ deviceId: 'edge-1', moduleId: 'sensor' });
    assert.strictEqual(mod.outputName, 'temperature');
    const summary = await reader.summary({ since });
    assert.deepStrictEqual(summary.map((s) => `${s.deviceId}/${s.moduleId ?? ''}:${s.countSince}`).sort(), ['dev-a/:1', 'edge-1/sensor:1']);
    const routed = await until('routed input message', () => inputs[0]);
    assert.deepStrictEqual(routed, { name: 'input1', body: JSON.stringify({ t: 30 }) });
  });

  it('telemetry API needs the owner policy', async () => {
    const cs = hub.emulator!.connectionString('service');
    const reader = new TelemetryReader({ connectionString: cs, caFile: hub.caFile });
    await assert.rejects(reader.messages(), /401/);
  });

  it('`edgeops hub start --info` writes mqttPort and devices connect to it', async () => {
    const proc = await startHubProcess();
    try {
      assert.ok(Number.isInteger(proc.mqttPort) && proc.mqttPort! > 0);
      const reg = proc.clients().registry;
      await reg.create({ deviceId: 'p-1' });
      const key = (await reg.get('p-1')).responseBody.authentication!.symmetricKey!.primaryKey!;
      const c = DeviceClient.fromConnectionString(emulatorDeviceConnectionString(proc, 'p-1', key), Mqtt);
      await c.setOptions({ ca: fs.readFileSync(proc.caFile, 'utf8') });
      await c.open();
      assert.strictEqual(((await reg.getTwin('p-1')).responseBody as any).connectionState, 'Connected');
      await c.close();
    } finally {
      await proc.stop();
    }
    assert.strictEqual(proc.exitCode, 0);
  });
});
