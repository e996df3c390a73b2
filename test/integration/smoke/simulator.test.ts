import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Registry } from 'azure-iothub';
import { DeviceSimulator } from '../../../emulator/simulator';
import { MemoryLogger } from '../../../shared/core/logger';
import { registryHub, runDeploy, DeployHub } from '../../../shared/deploy';
import { evaluateGate, registrySmokeHub, runSmokeWithEvidence, SmokeRunOptions } from '../../../shared/smoke';
import { startHub, TestHub } from '../../support/emulator';
import { startRegistry, TestRegistry } from '../../support/registry';
import { pushConfigOnlyImage } from '../simulator/oci-push';

const fast = { baseDelayMs: 10, maxDelayMs: 100 };

/** End to end with the edge-device simulator: devices apply deployments and report like the real agent. */
describe('smoke: against the edge-device simulator', function () {
  this.timeout(120_000);
  let hub: TestHub;
  let reg: TestRegistry;
  let registry: Registry;
  let client: Client;
  let hostName: string;
  let sim: DeviceSimulator;
  let dhub: DeployHub;
  let tmp: string;
  const log = new MemoryLogger();

  const manifest = (modules: Record<string, unknown>) => ({
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1', runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25', registryCredentials: {} } },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '{}' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '{}' } },
          },
          modules,
        },
      },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  });
  const mod = (image: string, extra: Record<string, unknown> = {}) => ({ version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image, createOptions: '{}' }, ...extra });
  const deploy = async (buildId: string, modules: Record<string, unknown>, condition = "tags.environment='sim'", name = 'simapp', priority = 10) => {
    const f = path.join(tmp, `${name}-${buildId}.json`);
    fs.writeFileSync(f, JSON.stringify(manifest(modules)));
    return (await runDeploy({
      hub: dhub, logger: log, manifestPattern: f, cwd: tmp, idTemplate: '{name}-{buildId}', idVars: { name, buildId }, labelInfo: {},
      target: { kind: 'condition', condition }, priority, layered: false, registryVars: {}, keep: 5, summaryDir: tmp,
    })).result.deploymentId;
  };
  const smoke = (over: Partial<SmokeRunOptions> & { deploymentId: string }) => runSmokeWithEvidence({
    hub: registrySmokeHub(registry, client, hostName, { logger: log, retry: fast }), logger: log, timeoutMs: 15_000, pollIntervalMs: 250, stabilityMs: 1000,
    rule: { threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline: 'exclude' },
    junitPath: path.join(tmp, `${over.deploymentId}.xml`), summaryDir: tmp, ...over,
  });

  before(async () => {
    hub = await startHub();
    reg = await startRegistry();
    ({ registry, client, hostName } = hub.clients());
    dhub = registryHub(registry, hostName, { logger: log, retry: fast });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-smoke-sim-'));
    await pushConfigOnlyImage(reg.url, 'apps/sensor', '1.0');
    await pushConfigOnlyImage(reg.url, 'apps/sensor', '2.0');
    sim = new DeviceSimulator({ hubInfoFile: hub.hubInfoFile, count: 4, prefix: 'st-', tags: { environment: 'sim' }, offline: 1, virtual: { backoffMs: 200, crashAfterMs: 250 }, retryMs: 1000 });
    await sim.start();
  });
  after(async () => {
    await sim?.stop();
    await hub?.stop();
    await reg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a healthy rollout passes with $edgeAgent ping; the offline device is told apart', async () => {
    const id = await deploy('1', { sensor: mod(`${reg.address}/apps/sensor:1.0`) });
    const r = await smoke({ deploymentId: id, ping: true, timeoutMs: 5000 });
    assert.equal(r.report.verdict.passed, true, log.lines.slice(-20).join('\n'));
    assert.deepEqual(r.report.counts, { targeted: 4, passed: 3, failed: 0, offline: 1 });
    const off = r.report.devices.find((d) => d.deviceId === 'st-0004')!;
    assert.equal(off.state, 'offline');
    assert.match(off.reason!, /never reported deployment simapp-1/);
    // Counted as a failure instead, the same rollout does not pass.
    assert.equal(evaluateGate(r.report.counts, { ...r.report.rule, offline: 'fail' }).passed, false);
  });

  it('a crash-looping module fails "modules online" on its device', async () => {
    const id = await deploy('1', { sensor: mod(`${reg.address}/apps/sensor:1.0`, { env: { EDGEOPS_SIMULATE: { value: 'crashloop' } } }) }, "deviceId='st-0001'", 'loop', 50);
    const r = await smoke({ deploymentId: id, timeoutMs: 4000 });
    assert.equal(r.report.verdict.passed, false);
    const d = r.report.devices[0];
    assert.equal(d.deviceId, 'st-0001');
    const failed = d.checks.find((c) => !c.ok && !c.skipped)!;
    assert.equal(failed.name, 'modulesOnline');
    assert.match(failed.message!, /sensor: (runtimeStatus backoff|restartCount rose from \d+ to \d+)/);
    await registry.removeConfiguration(id);
  });

  it('an image missing from the registry fails with the agent\'s status; rollback restores the previous release on every device', async () => {
    const id = await deploy('2', { sensor: mod(`${reg.address}/apps/sensor:2.0`), ghost: mod(`${reg.address}/apps/ghost:9.9`) });
    const r = await smoke({ deploymentId: id, timeoutMs: 4000, rollback: { hub: dhub } });
    assert.equal(r.report.verdict.passed, false);
    assert.equal(r.report.counts.failed, 3);
    const reason = r.report.devices.find((d) => d.deviceId === 'st-0002')!.reason!;
    assert.match(reason, /lastDesiredStatus 500: .*apps\/ghost:9\.9|ghost: runtimeStatus backoff/);
    assert.equal(r.report.rollback?.ok, true, r.report.rollback?.message);
    assert.equal(r.report.rollback?.restoredId, 'simapp-1');
    assert.ok(!(await registry.getConfigurations()).responseBody.some((c) => c.id === id), 'failed deployment removed');
    for (const d of ['st-0001', 'st-0002', 'st-0003']) {
      const desired = (await registry.getModuleTwin(d, '$edgeAgent')).responseBody.properties.desired as any;
      assert.equal(desired.modules.sensor.settings.image, `${reg.address}/apps/sensor:1.0`, `${d} desired back on the previous release`);
      assert.equal(desired.modules.ghost, undefined);
    }
  });

  it('after rollback the simulated devices report the previous release again, and stay there', async () => {
    const reported = async (d: string) => {
      const twin = (await registry.getModuleTwin(d, '$edgeAgent')).responseBody as any;
      return { desiredVersion: twin.properties.desired.$version, r: twin.properties.reported };
    };
    const converged = async () => {
      for (const d of ['st-0001', 'st-0002', 'st-0003']) {
        const { desiredVersion, r } = await reported(d);
        if (r.lastDesiredVersion !== desiredVersion || r.lastDesiredStatus?.code !== 200 || r.modules?.ghost || r.modules?.sensor?.settings?.image !== `${reg.address}/apps/sensor:1.0`) return false;
      }
      return true;
    };
    const deadline = Date.now() + 10_000;
    while (!(await converged())) {
      assert.ok(Date.now() < deadline, 'devices did not report the previous release within 10 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Past the simulator's pull-retry interval (1 s here), no stale retry re-applies the broken release.
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(await converged(), 'devices went back to the rolled-back release');
  });
});
