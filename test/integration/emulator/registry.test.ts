import * as assert from 'assert';
import { Registry } from 'azure-iothub';
import { startHub, TestHub } from '../../support/emulator';

/** Identities and twins, driven only through azure-iothub's Registry. */
describe('hub emulator: identities and twins through azure-iothub', function () {
  this.timeout(30_000);
  let hub: TestHub;
  let registry: Registry;

  before(async () => {
    hub = await startHub();
    registry = hub.clients().registry;
  });
  after(async () => { await hub?.stop(); });

  it('creates a device with generated SAS keys, gets, lists and refuses a duplicate', async () => {
    const created = (await registry.create({ deviceId: 'plain-1' })).responseBody;
    assert.strictEqual(created.deviceId, 'plain-1');
    assert.match(created.authentication!.symmetricKey!.primaryKey!, /^[A-Za-z0-9+/]{43}=$/);
    assert.notStrictEqual(created.authentication!.symmetricKey!.primaryKey, created.authentication!.symmetricKey!.secondaryKey);
    assert.strictEqual(created.status, 'enabled');
    assert.strictEqual(created.connectionState, 'Disconnected');
    const got = (await registry.get('plain-1')).responseBody;
    assert.strictEqual(got.etag, created.etag);
    const list = (await registry.list()).responseBody;
    assert.ok(list.some((d) => d.deviceId === 'plain-1'));
    await assert.rejects(registry.create({ deviceId: 'plain-1' }), (e: Error) => e.name === 'DeviceAlreadyExistsError');
    await assert.rejects(registry.get('nobody'), (e: Error) => e.name === 'DeviceNotFoundError');
    await assert.rejects(registry.create({ deviceId: 'bad id/with slash' }), (e: Error) => e.name === 'ArgumentError' || /invalid/i.test(e.message));
  });

  it('keeps provided keys, updates with If-Match and rejects a stale etag with 412', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const d = (await registry.create({ deviceId: 'keyed', authentication: { symmetricKey: { primaryKey: key, secondaryKey: '' } } } as never)).responseBody;
    assert.strictEqual(d.authentication!.symmetricKey!.primaryKey, key);
    assert.ok(d.authentication!.symmetricKey!.secondaryKey, 'empty secondary key generated');
    const updated = (await registry.update({ ...d, status: 'disabled' } as never)).responseBody; // If-Match: "*"
    assert.strictEqual(updated.status, 'disabled');
    assert.notStrictEqual(updated.etag, d.etag);
    // Module update with the old etag: 412 InvalidEtagError.
    await registry.addModule({ deviceId: 'keyed', moduleId: 'm1' } as never);
    const m = (await registry.getModule('keyed', 'm1')).responseBody as { etag: string };
    await registry.updateModule({ deviceId: 'keyed', moduleId: 'm1', etag: m.etag, managedBy: 'me' } as never);
    await assert.rejects(registry.updateModule({ deviceId: 'keyed', moduleId: 'm1', etag: m.etag, managedBy: 'you' } as never), (e: Error) => e.name === 'InvalidEtagError');
    await registry.updateModule({ deviceId: 'keyed', moduleId: 'm1', managedBy: 'forced' } as never, true);
    assert.strictEqual(((await registry.getModule('keyed', 'm1')).responseBody as { managedBy: string }).managedBy, 'forced');
  });

  it('gives an edge device $edgeAgent and $edgeHub module identities; modules list, delete', async () => {
    await registry.create({ deviceId: 'edge-1', capabilities: { iotEdge: true } } as never);
    const mods = ((await registry.getModulesOnDevice('edge-1')).responseBody as { moduleId: string; managedBy: string }[]);
    assert.deepStrictEqual(mods.map((x) => x.moduleId).sort(), ['$edgeAgent', '$edgeHub']);
    assert.ok(mods.every((x) => x.managedBy === 'iotEdge'));
    await registry.addModule({ deviceId: 'edge-1', moduleId: 'filter' } as never);
    await assert.rejects(registry.addModule({ deviceId: 'edge-1', moduleId: 'filter' } as never), (e: Error) => e.name === 'DeviceAlreadyExistsError');
    await registry.removeModule('edge-1', 'filter');
    await assert.rejects(registry.getModule('edge-1', 'filter'), /Not found|not registered/);
    await assert.rejects(registry.addModule({ deviceId: 'plain-1', moduleId: '$edgeAgent' } as never), (e: Error) => e.name === 'ArgumentError');
  });

  it('bulk-creates and bulk-removes devices', async () => {
    const res = await registry.addDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2', capabilities: { iotEdge: true } }] as never);
    assert.strictEqual((res.responseBody as { isSuccessful: boolean }).isSuccessful, true);
    assert.strictEqual((await registry.getModulesOnDevice('bulk-2')).responseBody.length, 2);
    await assert.rejects(registry.addDevices([{ deviceId: 'bulk-1' }] as never), /DeviceAlreadyExists/);
    await registry.removeDevices([{ deviceId: 'bulk-1' }, { deviceId: 'bulk-2' }] as never, true);
    await assert.rejects(registry.get('bulk-1'), (e: Error) => e.name === 'DeviceNotFoundError');
  });

  it('device twins look like IoT Hub twins; tags and desired merge, null deletes, $version increments', async () => {
    const twin = (await registry.getTwin('edge-1')).responseBody;
    const raw = twin as unknown as Record<string, unknown>;
    for (const k of ['deviceId', 'etag', 'version', 'status', 'connectionState', 'lastActivityTime', 'capabilities', 'tags', 'properties']) assert.ok(k in raw, `twin has ${k}`);
    assert.deepStrictEqual(raw.capabilities, { iotEdge: true });
    assert.strictEqual(twin.properties.desired.$version, 1);
    assert.ok(twin.properties.desired.$metadata.$lastUpdated);

    const t1 = (await registry.updateTwin('edge-1', { tags: { env: 'dev', site: { hall: 1 } }, properties: { desired: { telemetry: { interval: 5 }, mode: 'a' } } }, twin.etag)).responseBody;
    assert.deepStrictEqual(t1.tags, { env: 'dev', site: { hall: 1 } });
    assert.strictEqual(t1.properties.desired.$version, 2);
    assert.strictEqual(t1.properties.desired.$metadata.telemetry.interval.$lastUpdatedVersion, 2);
    assert.notStrictEqual(t1.etag, twin.etag);

    const t2 = (await registry.updateTwin('edge-1', { tags: { site: null }, properties: { desired: { mode: null, telemetry: { unit: 'C' } } } }, '*')).responseBody;
    assert.deepStrictEqual(t2.tags, { env: 'dev' });
    assert.deepStrictEqual({ ...t2.properties.desired, $metadata: undefined }, { telemetry: { interval: 5, unit: 'C' }, $version: 3, $metadata: undefined });

    // Tags only: desired $version unchanged, twin version still moves.
    const t3 = (await registry.updateTwin('edge-1', { tags: { ring: 2 } }, t2.etag)).responseBody as unknown as { version: number; properties: { desired: { $version: number } } };
    assert.strictEqual(t3.properties.desired.$version, 3);
    assert.ok(t3.version > (t2 as unknown as { version: number }).version);

    await assert.rejects(registry.updateTwin('edge-1', { tags: { x: 1 } }, t1.etag), (e: Error) => e.name === 'InvalidEtagError');
    await assert.rejects(registry.updateTwin('edge-1', { properties: { reported: { x: 1 } } }, '*'), (e: Error) => e.name === 'ArgumentError');
    await assert.rejects(registry.getTwin('nobody'), (e: Error) => e.name === 'DeviceNotFoundError');
  });

  it('module twins: $edgeAgent desired properties via updateModuleTwin', async () => {
    const mt = (await registry.getModuleTwin('edge-1', '$edgeAgent')).responseBody;
    assert.strictEqual(mt.moduleId, '$edgeAgent');
    const updated = (await registry.updateModuleTwin('edge-1', '$edgeAgent', { properties: { desired: { schemaVersion: '1.1' } } }, mt.etag)).responseBody;
    assert.strictEqual(updated.properties.desired.schemaVersion, '1.1');
    assert.strictEqual(updated.properties.desired.$version, 2);
  });

  it('Twin objects from the SDK update themselves (Twin.update)', async () => {
    const twin = (await registry.getTwin('plain-1')).responseBody;
    await twin.update({ tags: { fromTwin: true } });
    assert.strictEqual((await registry.getTwin('plain-1')).responseBody.tags.fromTwin, true);
  });

  it('deletes a device; direct methods answer 404103 (not connected) until a device side exists', async () => {
    const { client } = hub.clients();
    await assert.rejects(client.invokeDeviceMethod('edge-1', '$edgeAgent', { methodName: 'ping', payload: null } as never), (e: Error & { response?: { statusCode: number }; responseBody?: string }) => {
      assert.strictEqual(e.response?.statusCode, 404);
      assert.match(String(e.responseBody), /DeviceNotOnline/);
      assert.match(String(e.responseBody), /404103/);
      return true;
    });
    await registry.delete('plain-1');
    await assert.rejects(registry.get('plain-1'), (e: Error) => e.name === 'DeviceNotFoundError');
    const stats = (await registry.getRegistryStatistics()).responseBody;
    assert.strictEqual(typeof stats.totalDeviceCount, 'number');
  });
});
