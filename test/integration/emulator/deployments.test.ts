import * as assert from 'assert';
import { Registry } from 'azure-iothub';
import { startHub, TestHub } from '../../support/emulator';

function base(id: string, priority: number, targetCondition: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    id, priority, targetCondition, schemaVersion: '1.0', labels: { app: 'demo' },
    content: {
      modulesContent: {
        $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, systemModules: {}, modules: { sensor: { type: 'docker', settings: { image } } } } },
        $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { r1: 'FROM /messages/* INTO $upstream' } } },
        sensor: { 'properties.desired': { interval: 5 } },
      },
    },
    ...extra,
  };
}

function layer(id: string, priority: number, targetCondition: string) {
  return {
    id, priority, targetCondition, schemaVersion: '1.0',
    content: {
      modulesContent: {
        $edgeAgent: { 'properties.desired.modules.monitor': { type: 'docker', settings: { image: 'monitor:1' } } },
        $edgeHub: { 'properties.desired.routes.monitor': 'FROM /messages/modules/monitor/* INTO $upstream' },
      },
    },
  };
}

/** IoT Edge deployments: precedence, ties, layering, metrics — observed through azure-iothub. */
describe('hub emulator: IoT Edge deployments through azure-iothub', function () {
  this.timeout(30_000);
  let hub: TestHub;
  let registry: Registry;
  const agent = async (d: string) => (await registry.getModuleTwin(d, '$edgeAgent')).responseBody.properties.desired as Record<string, any>;
  const hubDesired = async (d: string) => (await registry.getModuleTwin(d, '$edgeHub')).responseBody.properties.desired as Record<string, any>;
  const statuses = async (d: string) => ((await registry.getTwin(d)).responseBody as unknown as { configurations?: Record<string, { status: string }> }).configurations ?? {};

  before(async () => {
    hub = await startHub();
    registry = hub.clients().registry;
    for (const [id, env] of [['dev-1', 'dev'], ['dev-2', 'dev'], ['prod-1', 'prod']]) {
      await registry.create({ deviceId: id, capabilities: { iotEdge: true } } as never);
      await registry.updateTwin(id, { tags: { environment: env } }, '*');
    }
    await registry.create({ deviceId: 'leaf-1' });
    await registry.updateTwin('leaf-1', { tags: { environment: 'dev' } }, '*');
  });
  after(async () => { await hub?.stop(); });

  it('applies the highest-priority matching deployment; the loser is Targeted', async () => {
    await registry.addConfiguration(base('all-low', 1, "tags.environment IN ['dev', 'prod']", 'sensor:1') as never);
    await registry.addConfiguration(base('dev-high', 10, "tags.environment = 'dev'", 'sensor:2') as never);
    assert.strictEqual((await agent('dev-1')).modules.sensor.settings.image, 'sensor:2');
    assert.strictEqual((await agent('prod-1')).modules.sensor.settings.image, 'sensor:1');
    assert.deepStrictEqual(await statuses('dev-1'), { 'all-low': { status: 'Targeted' }, 'dev-high': { status: 'Applied' } });
    assert.deepStrictEqual(await statuses('leaf-1'), {}, 'non-edge devices are never targeted by edge deployments');
    const sensor = (await registry.getModuleTwin('dev-1', '$edgeHub')).responseBody.properties.desired as Record<string, any>;
    assert.strictEqual(sensor.routes.r1, 'FROM /messages/* INTO $upstream');
  });

  it('breaks a priority tie in favour of the newest deployment', async () => {
    await registry.addConfiguration(base('tie-old', 20, "tags.environment = 'prod'", 'sensor:old') as never);
    await registry.addConfiguration(base('tie-new', 20, "tags.environment = 'prod'", 'sensor:new') as never);
    assert.strictEqual((await agent('prod-1')).modules.sensor.settings.image, 'sensor:new');
    const s = await statuses('prod-1');
    assert.strictEqual(s['tie-new'].status, 'Applied');
    assert.strictEqual(s['tie-old'].status, 'Targeted');
  });

  it('layers a layered deployment on top of the base and bumps desired $version', async () => {
    const before = await agent('dev-2');
    await registry.addConfiguration(layer('monitor-layer', 5, "tags.environment = 'dev'") as never);
    const after = await agent('dev-2');
    assert.strictEqual(after.modules.sensor.settings.image, 'sensor:2', 'base content kept');
    assert.strictEqual(after.modules.monitor.settings.image, 'monitor:1', 'layer merged');
    assert.ok(after.$version > before.$version);
    assert.strictEqual((await hubDesired('dev-2')).routes.monitor, 'FROM /messages/modules/monitor/* INTO $upstream');
    assert.strictEqual((await statuses('dev-2'))['monitor-layer'].status, 'Applied');
    assert.strictEqual((await agent('prod-1')).modules.monitor, undefined);
  });

  it('re-evaluates when tags change, and writes module twins listed in the deployment once they exist', async () => {
    await registry.updateTwin('prod-1', { tags: { environment: 'dev' } }, '*');
    assert.strictEqual((await agent('prod-1')).modules.sensor.settings.image, 'sensor:2');
    assert.strictEqual((await agent('prod-1')).modules.monitor.settings.image, 'monitor:1');
    await registry.addModule({ deviceId: 'prod-1', moduleId: 'sensor' } as never); // the agent creates module identities
    const sensorTwin = (await registry.getModuleTwin('prod-1', 'sensor')).responseBody.properties.desired as Record<string, unknown>;
    assert.strictEqual(sensorTwin.interval, 5);
    await registry.updateTwin('prod-1', { tags: { environment: 'prod' } }, '*');
    assert.strictEqual((await agent('prod-1')).modules.sensor.settings.image, 'sensor:new');
  });

  it('does not bump $version when re-evaluation changes nothing', async () => {
    const v1 = (await agent('dev-1')).$version;
    await registry.updateTwin('dev-1', { tags: { unrelated: 1 } }, '*');
    assert.strictEqual((await agent('dev-1')).$version, v1);
  });

  it('computes system metrics and custom metrics with IoT Hub queries', async () => {
    // Simulate the agent reporting success on dev-1 for the current desired version.
    const desiredVersion = (await agent('dev-1')).$version;
    hub.emulator!.state.updateReported('dev-1', '$edgeAgent', { lastDesiredVersion: desiredVersion, lastDesiredStatus: { code: 200 } });
    hub.emulator!.state.updateReported('dev-2', '$edgeAgent', { lastDesiredVersion: (await agent('dev-2')).$version, lastDesiredStatus: { code: 406, description: 'image pull failed' } });
    await registry.updateConfiguration({ ...(base('dev-high', 10, "tags.environment = 'dev'", 'sensor:2')), metrics: { queries: { running: "SELECT deviceId FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.lastDesiredStatus.code = 200" } } } as never, true);
    const cfg = (await registry.getConfiguration('dev-high')).responseBody;
    assert.deepStrictEqual(cfg.systemMetrics!.results, { targetedCount: 2, appliedCount: 2, reportedSuccessfulCount: 1, reportedFailedCount: 1 });
    assert.deepStrictEqual(cfg.metrics!.results, { running: 1 });
    assert.match(cfg.systemMetrics!.queries!.appliedCount, /configurations\.\[\[dev-high\]\]\.status = 'Applied'/);
    const all = (await registry.getConfigurations()).responseBody;
    assert.ok(all.length >= 5);
  });

  it('keeps content immutable, requires If-Match for updates, validates ids and conditions', async () => {
    const cfg = (await registry.getConfiguration('all-low')).responseBody;
    await assert.rejects(registry.updateConfiguration({ ...base('all-low', 1, '*', 'other:1'), etag: cfg.etag } as never), (e: Error) => e.name === 'ArgumentError' && /content/.test(e.message));
    await assert.rejects(registry.addConfiguration(base('all-low', 1, '*', 'sensor:1') as never), (e: Error) => e.name === 'DeviceAlreadyExistsError');
    const moved = (await registry.updateConfiguration({ ...base('all-low', 2, "tags.environment IN ['dev', 'prod']", 'sensor:1'), etag: cfg.etag } as never)).responseBody;
    await assert.rejects(registry.updateConfiguration({ ...base('all-low', 3, '*', 'sensor:1'), etag: cfg.etag } as never), (e: Error) => e.name === 'InvalidEtagError');
    assert.strictEqual(moved.priority, 2);
    await assert.rejects(registry.addConfiguration(base('Upper-Case', 1, '*', 'x') as never), (e: Error) => e.name === 'ArgumentError' && /lowercase/.test(e.message));
    await assert.rejects(registry.addConfiguration(base('bad-cond', 1, "tags.x = 'a' ORDER BY y", 'x') as never), (e: Error) => e.name === 'ArgumentError' && /targetCondition/.test(e.message));
    const noHub = base('no-hub', 1, '*', 'x');
    delete (noHub.content.modulesContent as Record<string, unknown>).$edgeHub;
    await assert.rejects(registry.addConfiguration(noHub as never), (e: Error) => e.name === 'ArgumentError' && /\$edgeHub/.test(e.message));
  });

  it('falls back to the next deployment when the winner is deleted', async () => {
    await registry.removeConfiguration('dev-high');
    assert.strictEqual((await agent('dev-1')).modules.sensor.settings.image, 'sensor:1');
    assert.strictEqual((await statuses('dev-1'))['all-low'].status, 'Applied');
    assert.strictEqual((await statuses('dev-1'))['dev-high'], undefined);
  });

  it('applyConfigurationContent writes module desired properties directly', async () => {
    await registry.create({ deviceId: 'direct-1', capabilities: { iotEdge: true } } as never);
    await registry.applyConfigurationContentOnDevice('direct-1', base('x', 0, '', 'direct:1').content as never);
    assert.strictEqual((await agent('direct-1')).modules.sensor.settings.image, 'direct:1');
    await assert.rejects(registry.applyConfigurationContentOnDevice('leaf-1', base('x', 0, '', 'direct:1').content as never), (e: Error) => e.name === 'ArgumentError');
  });

  it('lists targeted devices with a configurations query', async () => {
    const q = registry.createQuery("SELECT deviceId FROM devices WHERE configurations.[[all-low]].status = 'Applied'");
    const rows = (await q.next()).result as { deviceId: string }[];
    assert.deepStrictEqual(rows.map((r) => r.deviceId).sort(), ['dev-1', 'dev-2']);
  });
});
