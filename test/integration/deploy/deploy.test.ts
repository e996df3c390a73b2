import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { startHub, TestHub } from '../../support/emulator';
import { MemoryLogger } from '../../../shared/core/logger';
import { EdgeOpsError } from '../../../shared/core/errors';
import { DeployHub, registryHub, rollbackDeployment, runDeploy, DeployRunOptions, LABELS, bridgeId } from '../../../shared/deploy';
import { agentImage, baseManifest, layeredManifest, seedDevices, writeManifest } from './fixtures';

const PW = 'Sup3r-Secret-Registry-Pw';

/** IoTEdgeDeploy's core against the emulator, through the real azure-iothub Registry. */
describe('deploy: against the IoT Hub emulator (azure-iothub SDK)', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  let dhub: DeployHub;
  let tmp: string;
  let log: MemoryLogger;

  const opts = (over: Partial<DeployRunOptions> & { manifest: string; name: string; buildId: string }): DeployRunOptions => ({
    hub: dhub, logger: log, manifestPattern: over.manifest, cwd: tmp, idTemplate: '{name}-{buildId}-{stage}',
    idVars: { name: over.name, buildId: over.buildId, stage: 'dev' }, labelInfo: { pipeline: 'ci pipeline', run: over.buildId, commit: 'abcdef0123456789', stage: 'dev' },
    target: { kind: 'condition', condition: "tags.env='dev'" }, priority: 10, layered: false, registryVars: { CONTAINER_REGISTRY_PASSWORD: PW },
    keep: 2, summaryDir: path.join(tmp, 'summary'), ...over,
  });
  const ids = async () => ((await registry.getConfigurations()).responseBody).map((c) => c.id).sort();

  before(async () => {
    hub = await startHub();
    registry = hub.clients().registry;
    dhub = registryHub(registry, hub.host, { retry: { baseDelayMs: 20, maxDelayMs: 200 } });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-deploy-it-'));
    await seedDevices(registry, [{ id: 'd1', env: 'dev' }, { id: 'd2', env: 'dev' }, { id: 'p1', env: 'prod' }, { id: 'leaf', env: 'dev', edge: false }]);
  });
  beforeEach(() => { log = new MemoryLogger(); });
  after(async () => { await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('creates a labeled deployment with credentials filled in memory; devices get it', async () => {
    const m = writeManifest(tmp, 'config/deployment.amd64.json', baseManifest('1.0'));
    const r = await runDeploy(opts({ manifest: 'config/*.json', name: 'App', buildId: '1' }));
    assert.equal(r.result.action, 'created');
    assert.equal(r.result.deploymentId, 'app-1-dev');
    assert.equal(r.result.targetedDeviceCount, 2, 'edge devices only');
    assert.equal(r.result.previousDeploymentId, undefined);
    const cfg = (await registry.getConfiguration('app-1-dev')).responseBody;
    assert.equal(cfg.labels![LABELS.series], 'app-dev');
    assert.equal(cfg.labels![LABELS.pipeline], 'ci_pipeline');
    assert.match(cfg.labels![LABELS.contentHash], /^[0-9a-f]{64}$/);
    const creds = (cfg.content!.modulesContent!.$edgeAgent as any)['properties.desired'].runtime.settings.registryCredentials.reg;
    assert.equal(creds.password, PW, 'placeholder filled for the hub');
    assert.match(fs.readFileSync(m, 'utf8'), /\$CONTAINER_REGISTRY_PASSWORD/, 'manifest file untouched');
    assert.ok(!fs.readFileSync(r.summaryPath, 'utf8').includes(PW), 'summary has no password');
    assert.equal(await agentImage(registry, 'd1'), 'localhost:5000/sensor:1.0');
    assert.equal(await agentImage(registry, 'p1'), undefined);
    assert.ok(r.result.diff.groups[0].items.some((i) => i.name === 'sensor' && i.change === 'added'));
  });

  it('re-running the same release changes nothing and says so', async () => {
    const before = (await registry.getConfiguration('app-1-dev')).responseBody;
    const r = await runDeploy(opts({ manifest: 'config/deployment.amd64.json', name: 'App', buildId: '1' }));
    assert.equal(r.result.action, 'unchanged');
    assert.ok(log.lines.some((l) => /already exists with the same content/.test(l)));
    assert.equal((await registry.getConfiguration('app-1-dev')).responseBody.etag, before.etag);
    assert.deepEqual(await ids(), ['app-1-dev']);
  });

  it('refuses different content under an existing id unless replace; replace never leaves devices without it', async () => {
    writeManifest(tmp, 'v1b.json', baseManifest('1.0', { interval: 9 }));
    await assert.rejects(runDeploy(opts({ manifest: 'v1b.json', name: 'App', buildId: '1' })), (e: EdgeOpsError) => e.code === 'DeploymentConflict' && /different content/.test(e.message));
    assert.deepEqual(await ids(), ['app-1-dev']);
    const r = await runDeploy(opts({ manifest: 'v1b.json', name: 'App', buildId: '1', replace: true }));
    assert.equal(r.result.action, 'replaced');
    assert.deepEqual(await ids(), ['app-1-dev'], 'bridge removed');
    const twin = (await registry.getModuleTwin('d1', 'sensor').catch(() => undefined));
    void twin;
    const cfg = (await registry.getConfiguration('app-1-dev')).responseBody;
    assert.equal((cfg.content!.modulesContent!.sensor as any)['properties.desired'].interval, 9);
    assert.ok(log.lines.findIndex((l) => /bridge .* now serves/.test(l)) < log.lines.findIndex((l) => /Replaced deployment/.test(l)));
  });

  it('next release: diff against what devices run, previous id, retention keeps what still serves devices', async () => {
    writeManifest(tmp, 'v2.json', baseManifest('2.0', { interval: 9 }));
    hub.emulator!.deployments.setDelay(60_000); // the hub has not re-evaluated yet: devices still run app-1-dev
    const r = await runDeploy(opts({ manifest: 'v2.json', name: 'App', buildId: '2', keep: 1 }));
    assert.equal(r.result.action, 'created');
    assert.equal(r.result.previousDeploymentId, 'app-1-dev');
    const g = r.result.diff.groups[0];
    assert.equal(g.base, 'app-1-dev');
    assert.deepEqual(g.deviceIds, ['d1', 'd2']);
    assert.ok(g.items.some((i) => i.name === 'sensor' && i.field === 'image' && i.before === 'localhost:5000/sensor:1.0' && i.after === 'localhost:5000/sensor:2.0'));
    assert.ok(g.items.some((i) => i.name === 'sensor' && i.field === 'env'));
    assert.deepEqual(r.result.retention.removed, []);
    assert.match(r.result.retention.kept[0].reason, /still applied on 2 device/);
    assert.deepEqual(await ids(), ['app-1-dev', 'app-2-dev']);
    hub.emulator!.deployments.setDelay(0);
    hub.emulator!.deployments.evaluateAll();
    assert.equal(await agentImage(registry, 'd2'), 'localhost:5000/sensor:2.0');
    writeManifest(tmp, 'v3.json', baseManifest('3.0'));
    const r3 = await runDeploy(opts({ manifest: 'v3.json', name: 'App', buildId: '3', keep: 2 }));
    assert.deepEqual(r3.result.retention.removed, ['app-1-dev']);
    assert.deepEqual(await ids(), ['app-2-dev', 'app-3-dev']);
    const md = fs.readFileSync(r3.markdownPath, 'utf8');
    assert.match(md, /\| changed \| module \| sensor \| image \| `localhost:5000\/sensor:2.0` \| `localhost:5000\/sensor:3.0` \|/);
  });

  it('rollback removes the new deployment and devices return to the previous one', async () => {
    const r = await rollbackDeployment({ hub: dhub, logger: log, id: 'app-3-dev' });
    assert.equal(r.action, 'removed');
    assert.equal(r.restored?.id, 'app-2-dev');
    assert.equal(r.restored?.images.sensor, 'localhost:5000/sensor:2.0');
    assert.deepEqual(r.affectedDeviceIds, ['d1', 'd2']);
    assert.deepEqual(await ids(), ['app-2-dev']);
    assert.equal(await agentImage(registry, 'd1'), 'localhost:5000/sensor:2.0');
    const again = await rollbackDeployment({ hub: dhub, logger: log, id: 'app-3-dev', series: 'app-dev' });
    assert.equal(again.action, 'already-rolled-back');
    await assert.rejects(rollbackDeployment({ hub: dhub, logger: log, id: 'app-2-dev' }), (e: EdgeOpsError) => e.code === 'NoPreviousDeployment');
    assert.deepEqual(await ids(), ['app-2-dev'], 'the only deployment is never removed');
  });

  it('layered deployment stacks on the base; diff shows the added module and route', async () => {
    writeManifest(tmp, 'layer.json', layeredManifest('1.0'));
    const r = await runDeploy(opts({ manifest: 'layer.json', name: 'Extra', buildId: '1', layered: true, priority: 20 }));
    assert.equal(r.result.action, 'created');
    const items = r.result.diff.groups[0].items;
    assert.ok(items.some((i) => i.area === 'module' && i.name === 'extra' && i.change === 'added'));
    assert.ok(items.some((i) => i.area === 'route' && i.name === 'extra' && i.change === 'added'));
    assert.ok(!items.some((i) => i.name === 'sensor'), 'base modules unchanged');
    assert.equal(await agentImage(registry, 'd1', 'extra'), 'localhost:5000/extra:1.0');
    assert.equal(await agentImage(registry, 'd1', 'sensor'), 'localhost:5000/sensor:2.0');
  });

  it('bad target condition shows the hub message; zero devices is an error unless allowed; dry run creates nothing', async () => {
    writeManifest(tmp, 'v4.json', baseManifest('4.0'));
    await assert.rejects(runDeploy(opts({ manifest: 'v4.json', name: 'App', buildId: '4', target: { kind: 'condition', condition: "tags.env = = 'x'" } })),
      (e: EdgeOpsError) => e.code === 'InputError' && /Target condition .* is not valid/.test(e.message));
    await assert.rejects(runDeploy(opts({ manifest: 'v4.json', name: 'App', buildId: '4', target: { kind: 'condition', condition: "tags.env='nowhere'" } })), /selects no IoT Edge device/);
    const before = await ids();
    const dry = await runDeploy(opts({ manifest: 'v4.json', name: 'App', buildId: '4', dryRun: true }));
    assert.equal(dry.result.action, 'preview');
    assert.deepEqual(await ids(), before);
    const empty = await runDeploy(opts({ manifest: 'v4.json', name: 'App', buildId: '4', target: { kind: 'condition', condition: "tags.env='nowhere'" }, allowNoDevices: true, keep: 0 }));
    assert.equal(empty.result.targetedDeviceCount, 0);
    await registry.removeConfiguration('app-4-dev');
  });

  it('single device: a deployment for deviceId, or applyConfigurationContent that says it bypasses deployments', async () => {
    writeManifest(tmp, 'p.json', baseManifest('9.0'));
    const r = await runDeploy(opts({ manifest: 'p.json', name: 'One', buildId: '1', target: { kind: 'device', deviceId: 'p1' }, singleDeviceApply: true }));
    assert.equal(r.result.action, 'applied');
    assert.ok(log.lines.some((l) => /bypasses automatic deployments/.test(l)));
    assert.equal(await agentImage(registry, 'p1'), 'localhost:5000/sensor:9.0');
    assert.ok(!(await ids()).includes('one-1-dev'));
    const d = await runDeploy(opts({ manifest: 'p.json', name: 'One', buildId: '2', target: { kind: 'devices', deviceIds: ['p1', 'd1'] }, priority: 1 }));
    assert.equal(d.result.targetedDeviceCount, 2);
    assert.equal((await registry.getConfiguration('one-2-dev')).responseBody.targetCondition, "deviceId='p1' OR deviceId='d1'");
    void bridgeId;
  });
});
