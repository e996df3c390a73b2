import * as assert from 'assert';
import { Client as ServiceClient, Registry } from 'azure-iothub';
import { DeviceSimulator } from '../../../emulator/simulator';
import { startHub, TestHub } from '../../support/emulator';
import { startRegistry, TestRegistry } from '../../support/registry';
import { pushConfigOnlyImage } from './oci-push';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await f(); if (v !== undefined && v !== false) return v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(100);
  }
}

function deployment(id: string, targetCondition: string, modules: Record<string, unknown>, priority = 10) {
  return {
    id, priority, targetCondition, schemaVersion: '1.0', labels: {},
    content: {
      modulesContent: {
        $edgeAgent: {
          'properties.desired': {
            schemaVersion: '1.1',
            runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25', loggingOptions: '', registryCredentials: {} } },
            systemModules: {
              edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '{}' } },
              edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '{}' } },
            },
            modules,
          },
        },
        $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
      },
    },
  };
}

const mod = (image: string, extra: Record<string, unknown> = {}) => ({ version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image, createOptions: '{}' }, ...extra });

/** Virtual mode end to end: deployments created with azure-iothub, reported properties shaped like the real agent's. */
describe('edge-device simulator (virtual mode)', function () {
  this.timeout(90_000);
  let hub: TestHub;
  let reg: TestRegistry;
  let registry: Registry;
  let service: ServiceClient;
  let sim: DeviceSimulator;
  const lines: string[] = [];
  const agentTwin = async (d: string) => (await registry.getModuleTwin(d, '$edgeAgent')).responseBody as unknown as { properties: { desired: any; reported: any }; connectionState: string };

  before(async () => {
    hub = await startHub();
    reg = await startRegistry();
    ({ registry, client: service } = hub.clients());
    await pushConfigOnlyImage(reg.url, 'apps/sensor', '1.0');
    await pushConfigOnlyImage(reg.url, 'apps/crasher', '1.0', { 'edgeops.simulate': 'crash', 'edgeops.simulate.delay-ms': '300' });
    sim = new DeviceSimulator({
      hubInfoFile: hub.hubInfoFile, count: 4, prefix: 'vs-', tags: { environment: 'dev', ring: 'r1' }, offline: 1, architecture: 'aarch64',
      virtual: { backoffMs: 300, crashAfterMs: 400 }, retryMs: 1000,
      onStatus: (d, l) => lines.push(`${d} ${l}`),
    });
    await sim.start();
  });

  after(async () => {
    await sim?.stop();
    await hub?.stop();
    await reg?.stop();
  });

  it('creates missing edge identities with tags; online devices are Connected, the offline one is not', async () => {
    assert.deepStrictEqual(sim.deviceIds(), ['vs-0001', 'vs-0002', 'vs-0003', 'vs-0004']);
    assert.deepStrictEqual(sim.offlineIds, ['vs-0004']);
    for (const id of ['vs-0001', 'vs-0002', 'vs-0003']) {
      const t = (await registry.getTwin(id)).responseBody as any;
      assert.strictEqual(t.capabilities.iotEdge, true);
      assert.deepStrictEqual({ environment: t.tags.environment, ring: t.tags.ring }, { environment: 'dev', ring: 'r1' });
      assert.strictEqual(t.connectionState, 'Connected');
      assert.strictEqual((await agentTwin(id)).connectionState, 'Connected');
    }
    assert.strictEqual(((await registry.getTwin('vs-0004')).responseBody as any).connectionState, 'Disconnected');
    // Before any deployment the agent reports 417 (no configuration).
    const r = (await agentTwin('vs-0001')).properties.reported;
    assert.strictEqual(r.lastDesiredStatus.code, 417);
    assert.strictEqual(r.runtime.platform.architecture, 'aarch64');
  });

  it('success: reported properties follow the deployment like the real agent\'s; ping answers', async () => {
    await registry.addConfiguration(deployment('ok-1', "deviceId = 'vs-0001' OR deviceId = 'vs-0004'", { sensor: mod(`${reg.address}/apps/sensor:1.0`, { env: { LEVEL: { value: 'info' } } }) }) as any);
    const r = await until('vs-0001 applied', async () => {
      const t = await agentTwin('vs-0001');
      return t.properties.reported.lastDesiredVersion === t.properties.desired.$version && t.properties.reported.modules?.sensor ? t.properties.reported : undefined;
    });
    assert.deepStrictEqual(r.lastDesiredStatus, { code: 200, description: '' });
    assert.strictEqual(r.schemaVersion, '1.1');
    assert.deepStrictEqual(Object.keys(r.runtime.platform).sort(), ['architecture', 'os', 'version']);
    assert.strictEqual(r.runtime.platform.os, 'linux');
    assert.strictEqual(r.runtime.settings.registryCredentials, undefined, 'no credentials echoed back');
    assert.strictEqual(r.systemModules.edgeAgent.runtimeStatus, 'running');
    assert.strictEqual(r.systemModules.edgeHub.runtimeStatus, 'running');
    assert.strictEqual(r.systemModules.edgeHub.settings.image, 'mcr.microsoft.com/azureiotedge-hub:1.5');
    const s = r.modules.sensor;
    assert.strictEqual(s.runtimeStatus, 'running');
    assert.strictEqual(s.status, 'running');
    assert.strictEqual(s.restartPolicy, 'always');
    assert.strictEqual(s.version, '1.0');
    assert.strictEqual(s.settings.image, `${reg.address}/apps/sensor:1.0`);
    assert.match(s.settings.imageHash, /^sha256:[0-9a-f]{64}$/);
    assert.strictEqual(s.exitCode, 0);
    assert.strictEqual(s.restartCount, 0);
    assert.deepStrictEqual(s.env, { LEVEL: { value: 'info' } });
    assert.ok(Date.parse(s.lastStartTimeUtc) > Date.now() - 60_000);
    assert.strictEqual(s.lastExitTimeUtc, '0001-01-01T00:00:00Z');
    const dev = (await registry.getTwin('vs-0001')).responseBody as any;
    assert.strictEqual(dev.configurations['ok-1'].status, 'Applied');
    const ping = await service.invokeDeviceMethod('vs-0001', '$edgeAgent', { methodName: 'ping', payload: null, responseTimeoutInSeconds: 10 });
    assert.strictEqual(ping.result.status, 200);
    assert.ok(lines.some((l) => /^vs-0001 v\d+ 200 sensor=running$/.test(l)), lines.join('\n'));
  });

  it('offline device: targeted but never reports, ping is 404103', async () => {
    const t = await agentTwin('vs-0004');
    assert.ok(t.properties.desired.modules.sensor, 'the deployment reached its twin');
    assert.strictEqual(t.properties.reported.lastDesiredVersion, undefined);
    await assert.rejects(service.invokeDeviceMethod('vs-0004', '$edgeAgent', { methodName: 'ping', payload: null, responseTimeoutInSeconds: 5 }), (e: any) => e.response?.statusCode === 404);
  });

  it('image missing from the registry: module in backoff with the pull failure, deployment 500', async () => {
    await registry.addConfiguration(deployment('missing-1', "deviceId = 'vs-0002'", { sensor: mod(`${reg.address}/apps/sensor:1.0`), ghost: mod(`${reg.address}/apps/ghost:9.9`) }) as any);
    const r = await until('vs-0002 reported 500', async () => {
      const t = await agentTwin('vs-0002');
      return t.properties.reported.lastDesiredVersion === t.properties.desired.$version && t.properties.reported.modules?.ghost ? t.properties.reported : undefined;
    });
    assert.strictEqual(r.lastDesiredStatus.code, 500);
    assert.match(r.lastDesiredStatus.description, /apps\/ghost:9\.9/);
    assert.strictEqual(r.modules.ghost.runtimeStatus, 'backoff');
    assert.match(r.modules.ghost.statusDescription, /manifest unknown/);
    assert.strictEqual(r.modules.sensor.runtimeStatus, 'running');
    // Pushing the image later lets the agent's retry succeed.
    await pushConfigOnlyImage(reg.url, 'apps/ghost', '9.9');
    await until('vs-0002 recovers', async () => {
      const rr = (await agentTwin('vs-0002')).properties.reported;
      return rr.lastDesiredStatus.code === 200 && rr.modules.ghost.runtimeStatus === 'running';
    });
  });

  it('crashing modules: a crash-looping module keeps restarting (rising restartCount); label crash + restartPolicy never → failed', async () => {
    await registry.addConfiguration(deployment('crash-1', "deviceId = 'vs-0003'", {
      loop: mod(`${reg.address}/apps/sensor:1.0`, { env: { EDGEOPS_SIMULATE: { value: 'crashloop' } } }),
      once: mod(`${reg.address}/apps/crasher:1.0`, { restartPolicy: 'never' }),
    }) as any);
    const first = await until('loop restarted', async () => {
      const r = (await agentTwin('vs-0003')).properties.reported;
      return r.modules?.loop?.restartCount >= 1 ? r : undefined;
    });
    assert.strictEqual(first.lastDesiredStatus.code, 200, 'the plan itself succeeded');
    const later = await until('restartCount rises', async () => {
      const r = (await agentTwin('vs-0003')).properties.reported;
      return r.modules.loop.restartCount > first.modules.loop.restartCount + 1 ? r : undefined;
    });
    assert.ok(['running', 'backoff'].includes(later.modules.loop.runtimeStatus));
    assert.strictEqual(later.modules.once.runtimeStatus, 'failed');
    assert.strictEqual(later.modules.once.exitCode, 1);
    assert.notStrictEqual(later.modules.once.lastExitTimeUtc, '0001-01-01T00:00:00Z');
  });

  it('invalid deployments: 412 for an unknown schemaVersion, 400 for a malformed module; removed modules disappear', async () => {
    await registry.applyConfigurationContentOnDevice('vs-0001', { modulesContent: { $edgeAgent: { 'properties.desired': { ...deployment('x', '', {}).content.modulesContent.$edgeAgent['properties.desired'], schemaVersion: '9.0' } }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } } as any);
    const r412 = await until('412', async () => { const t = await agentTwin('vs-0001'); return t.properties.reported.lastDesiredVersion === t.properties.desired.$version ? t.properties.reported : undefined; });
    assert.strictEqual(r412.lastDesiredStatus.code, 412);
    assert.strictEqual(r412.modules.sensor.runtimeStatus, 'running', 'modules in force stay');
    const bad = deployment('x', '', { broken: { type: 'docker', settings: {} } }).content.modulesContent.$edgeAgent['properties.desired'];
    await registry.applyConfigurationContentOnDevice('vs-0001', { modulesContent: { $edgeAgent: { 'properties.desired': bad }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } } as any);
    const r400 = await until('400', async () => { const t = await agentTwin('vs-0001'); return t.properties.reported.lastDesiredVersion === t.properties.desired.$version ? t.properties.reported : undefined; });
    assert.strictEqual(r400.lastDesiredStatus.code, 400);
    assert.match(r400.lastDesiredStatus.description, /modules\.broken: settings\.image/);
    const empty = deployment('x', '', {}).content.modulesContent.$edgeAgent['properties.desired'];
    await registry.applyConfigurationContentOnDevice('vs-0001', { modulesContent: { $edgeAgent: { 'properties.desired': empty }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } } as any);
    const r200 = await until('200 without modules', async () => { const t = await agentTwin('vs-0001'); return t.properties.reported.lastDesiredVersion === t.properties.desired.$version ? t.properties.reported : undefined; });
    assert.strictEqual(r200.lastDesiredStatus.code, 200);
    assert.deepStrictEqual(r200.modules, {}, 'the removed module is deleted from reported');
  });

  it('a dropped device goes Disconnected and catches up when it returns', async () => {
    const d = sim.device('vs-0001')!;
    const dropping = d.drop(1500);
    await until('Disconnected', async () => ((await registry.getTwin('vs-0001')).responseBody as any).connectionState === 'Disconnected');
    await registry.applyConfigurationContentOnDevice('vs-0001', { modulesContent: { $edgeAgent: { 'properties.desired': deployment('x', '', { sensor: mod(`${reg.address}/apps/sensor:1.0`) }).content.modulesContent.$edgeAgent['properties.desired'] }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } } as any);
    await dropping;
    await until('caught up', async () => { const t = await agentTwin('vs-0001'); return t.properties.reported.lastDesiredVersion === t.properties.desired.$version && t.properties.reported.modules.sensor?.runtimeStatus === 'running'; });
    assert.strictEqual(((await registry.getTwin('vs-0001')).responseBody as any).connectionState, 'Connected');
  });
});
