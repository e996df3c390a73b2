import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client, Registry } from 'azure-iothub';
import { startHub, TestHub } from '../../support/emulator';
import { MemoryLogger } from '../../../shared/core/logger';
import { registryHub, runDeploy } from '../../../shared/deploy';
import { registrySmokeHub, runSmokeWithEvidence, SmokeRunOptions, PassRule, DeviceResult } from '../../../shared/smoke';
import { deploymentContent, FakeFleet } from './fleet';

const fast = { baseDelayMs: 5, maxDelayMs: 50 };
const ALL: PassRule = { threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline: 'fail' };

/** The smoke test's core against the emulator through azure-iothub; devices report like $edgeAgent. */
describe('smoke: promotion gate against the IoT Hub emulator', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  let client: Client;
  let hostName: string;
  let fleet: FakeFleet;
  let tmp: string;

  const deploy = async (id: string, env: string, tag: string, priority = 10, extra: Record<string, unknown> = {}) => {
    await registry.addConfiguration({ id, priority, schemaVersion: '1.0', targetCondition: `tags.env='${env}'`, content: deploymentContent(tag, extra) } as never);
  };
  const smoke = (over: Partial<SmokeRunOptions> & { deploymentId: string }) => {
    const log = new MemoryLogger();
    const h = registrySmokeHub(registry, client, hostName, { logger: log, retry: fast });
    return runSmokeWithEvidence({
      hub: h, logger: log, timeoutMs: 3000, pollIntervalMs: 100, stabilityMs: 400, rule: ALL,
      junitPath: path.join(tmp, `${over.deploymentId}.xml`), summaryDir: tmp, ...over,
    }).then((r) => ({ ...r, log, hub: h }));
  };
  const byId = (devices: DeviceResult[]) => new Map(devices.map((d) => [d.deviceId, d]));

  before(async () => {
    hub = await startHub();
    ({ registry, client, hostName } = hub.clients());
    fleet = new FakeFleet(hub.emulator!);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-smoke-it-'));
  });
  after(async () => { fleet?.stop(); await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('a healthy rollout passes: every device and check green, evidence written, few requests', async () => {
    fleet.add(['ok-1', 'ok-2', 'ok-3'], 'healthy', { env: 'ok' });
    await deploy('healthy-1', 'ok', '1.0');
    const r = await smoke({ deploymentId: 'healthy-1' });
    assert.equal(r.report.verdict.passed, true, r.log.lines.join('\n'));
    assert.deepEqual(r.report.counts, { targeted: 3, passed: 3, failed: 0, offline: 0 });
    assert.ok(r.report.polls >= 2, 'waited for the stability window');
    assert.ok(r.report.durationMs >= 400);
    const xml = fs.readFileSync(r.junitPath, 'utf8');
    assert.equal((xml.match(/<testcase /g) ?? []).length, 12, '3 devices × 4 checks');
    assert.ok(!xml.includes('<failure'));
    assert.match(fs.readFileSync(r.markdownPath, 'utf8'), /healthy-1 — PASSED/);
    assert.ok(r.log.lines.some((l) => /poll 1 at \d+ s — \d+ passed/.test(l)), 'progress line');
    // Two paged queries per poll plus the deployment read: never one request per device.
    assert.equal(r.report.requests, 1 + 2 * r.report.polls);
  });

  it('each broken device fails with its own reason; offline is told apart from failed', async () => {
    fleet.add(['m-stale'], 'stale', { env: 'mixed' });
    await deploy('mixed-old', 'mixed', '1.0', 5);
    fleet.add(['m-ok'], 'healthy', { env: 'mixed' });
    fleet.add(['m-missing'], 'imageMissing', { env: 'mixed' });
    fleet.add(['m-crash'], 'crashLoop', { env: 'mixed' });
    fleet.add(['m-wrong'], 'wrongImage', { env: 'mixed' });
    fleet.add(['m-offline'], 'offline', { env: 'mixed' });
    fleet.add(['m-flap'], 'flapping', { env: 'mixed' });
    fleet.add(['m-rejected'], 'rejected', { env: 'mixed' });
    hub.emulator!.state.putDevice('m-disabled', { capabilities: { iotEdge: true }, status: 'disabled', statusReason: 'decommissioned' }, undefined);
    hub.emulator!.state.updateTwin('m-disabled', undefined, { tags: { env: 'mixed' } }, undefined, false);
    await deploy('mixed-2', 'mixed', '2.0', 10);
    const r = await smoke({ deploymentId: 'mixed-2', timeoutMs: 1500 });
    assert.equal(r.report.verdict.passed, false);
    assert.equal(r.report.timedOut, true);
    assert.deepEqual(r.report.counts, { targeted: 9, passed: 1, failed: 7, offline: 1 });
    const d = byId(r.report.devices);
    const failing = (id: string) => d.get(id)!.checks.find((c) => !c.ok && !c.skipped)!;
    assert.equal(d.get('m-ok')!.state, 'passed');
    assert.equal(failing('m-missing').name, 'modulesOnline');
    assert.match(failing('m-missing').message!, /sensor: not reported by \$edgeAgent/);
    assert.match(failing('m-crash').message!, /sensor: runtimeStatus backoff \(exit code 139\): module exited: segmentation fault, expected running/);
    assert.match(failing('m-wrong').message!, /sensor: runs localhost:5000\/sensor:0\.9-hotfix, expected localhost:5000\/sensor:2\.0/);
    assert.equal(failing('m-stale').name, 'manifestApplied');
    assert.match(failing('m-stale').message!, /has not applied desired version \d+ \(reported lastDesiredVersion \d+: old manifest still applied\)/);
    assert.equal(d.get('m-offline')!.state, 'offline');
    assert.match(d.get('m-offline')!.reason!, /^offline: Disconnected .*never reported deployment mixed-2/);
    assert.match(failing('m-flap').message!, /^sensor: restartCount rose from \d+ to \d+ within the 0\.4 s stability window \(flapping\)$/);
    assert.match(failing('m-rejected').message!, /^lastDesiredStatus 400: Invalid deployment: createOptions/);
    assert.equal(failing('m-disabled').name, 'available');
    assert.match(failing('m-disabled').message!, /identity is disabled \(decommissioned\)/);
    // Evidence: a failure per failing device, with the reported status; offline counted as failure by default.
    const xml = fs.readFileSync(r.junitPath, 'utf8');
    assert.match(xml, /classname="m-crash" name="modules online"[^>]*>\s*<failure message="sensor: runtimeStatus backoff[^"]*">[^<]*reported: \{&quot;edgeHub&quot;/);
    assert.match(xml, /classname="m-offline" name="connected"[^>]*>\s*<failure/);
    assert.match(xml, /classname="m-offline" name="manifest applied"[^>]*>\s*<skipped message="device offline"/);
    const md = fs.readFileSync(r.markdownPath, 'utf8');
    assert.match(md, /mixed-2 — FAILED/);
    assert.match(md, /\| m-crash \| failed \| modules online \| sensor: runtimeStatus backoff/);
    assert.match(md, /\| m-offline \| offline \| connected \|/);
    assert.match(md, /1 of 9 device\(s\) passed \(11\.1%\), below the 100% threshold/);
  });

  it('thresholds: percent, count, max failures, min devices, offline excluded or counted', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `t-ok-${i}`);
    fleet.add(ids, 'healthy', { env: 'thr' });
    fleet.add(['t-crash'], 'crashLoop', { env: 'thr' });
    fleet.add(['t-off'], 'offline', { env: 'thr' });
    await deploy('thr-1', 'thr', '1.0');
    const run = (rule: Partial<PassRule>) => smoke({ deploymentId: 'thr-1', timeoutMs: 600, stabilityMs: 0, rule: { ...ALL, ...rule } }).then((r) => r.report.verdict);
    assert.equal((await run({ threshold: { kind: 'percent', value: 80 } })).passed, true, '8/10 = 80%');
    const v90 = await run({ threshold: { kind: 'percent', value: 90 } });
    assert.equal(v90.passed, false);
    assert.match(v90.reasons[0], /8 of 10 device\(s\) passed \(80\.0%\), below the 90% threshold/);
    assert.equal((await run({ threshold: { kind: 'percent', value: 88 }, offline: 'exclude' })).passed, true, '8/9 = 88.9%');
    assert.equal((await run({ threshold: { kind: 'count', value: 8 } })).passed, true);
    assert.equal((await run({ threshold: { kind: 'count', value: 9 } })).passed, false);
    const maxF = await run({ threshold: { kind: 'count', value: 8 }, maxFailures: 1 });
    assert.equal(maxF.passed, false);
    assert.match(maxF.reasons.join(';'), /2 failure\(s\) \(1 offline\), more than the 1 allowed/);
    assert.equal((await run({ threshold: { kind: 'count', value: 8 }, maxFailures: 1, offline: 'exclude' })).passed, true);
    const minD = await run({ threshold: { kind: 'percent', value: 50 }, minDevices: 20 });
    assert.match(minD.reasons.join(';'), /10 device\(s\) targeted, at least 20 required/);
  });

  it('a deployment that selects no device never passes', async () => {
    await deploy('nobody-1', 'nobody', '1.0');
    const r = await smoke({ deploymentId: 'nobody-1', timeoutMs: 200 });
    assert.equal(r.report.verdict.passed, false);
    assert.match(r.report.verdict.reasons.join(';'), /0 device\(s\) targeted, at least 1 required/);
  });

  it('a device list: unknown and non-edge devices fail "available"', async () => {
    await registry.create({ deviceId: 'leaf-1' } as never);
    const r = await smoke({ deploymentId: 'healthy-1', deviceIds: ['ok-1', 'ghost-1', 'leaf-1'], timeoutMs: 800 });
    const d = byId(r.report.devices);
    assert.equal(d.get('ok-1')!.state, 'passed');
    assert.equal(d.get('ghost-1')!.reason, 'device identity does not exist');
    assert.equal(d.get('leaf-1')!.reason, 'not an IoT Edge device');
  });

  it('an unknown deployment is a clear input error', async () => {
    await assert.rejects(smoke({ deploymentId: 'no-such-deployment' }), /Deployment no-such-deployment does not exist on 127\.0\.0\.1:\d+/);
  });

  it('rollback on failure restores the previous deployment of the series and devices converge back', async () => {
    const ids = ['rb-1', 'rb-2', 'rb-3'];
    fleet.add(ids, 'healthy', { env: 'rb' });
    fleet.crashingImages.add('localhost:5000/sensor:9.9-broken');
    const log = new MemoryLogger();
    const dhub = registryHub(registry, hostName, { logger: log, retry: fast });
    const manifest = (tag: string) => { const f = path.join(tmp, `rb-${tag}.json`); fs.writeFileSync(f, JSON.stringify(deploymentContent(tag))); return f; };
    const dep = (tag: string, buildId: string) => runDeploy({
      hub: dhub, logger: log, manifestPattern: manifest(tag), cwd: tmp, idTemplate: '{name}-{buildId}', idVars: { name: 'rbapp', buildId },
      labelInfo: {}, target: { kind: 'condition', condition: "tags.env='rb'" }, priority: 10, layered: false, registryVars: {}, keep: 5, summaryDir: tmp,
    });
    await dep('1.0', '1');
    assert.equal((await smoke({ deploymentId: 'rbapp-1' })).report.verdict.passed, true);
    await dep('9.9-broken', '2');
    const failed = await smoke({ deploymentId: 'rbapp-2', timeoutMs: 800, rollback: { hub: dhub } });
    assert.equal(failed.report.verdict.passed, false);
    assert.equal(failed.report.counts.failed, 3);
    assert.deepEqual(failed.report.rollback && { ok: failed.report.rollback.ok, restoredId: failed.report.rollback.restoredId }, { ok: true, restoredId: 'rbapp-1' });
    assert.match(fs.readFileSync(failed.markdownPath, 'utf8'), /### Rollback\n\n.*Restored rbapp-1/);
    assert.ok(!(await registry.getConfigurations()).responseBody.some((c) => c.id === 'rbapp-2'), 'failed deployment removed');
    // Devices converge back: the previous deployment passes again with its image running.
    const back = await smoke({ deploymentId: 'rbapp-1' });
    assert.equal(back.report.verdict.passed, true, back.log.lines.join('\n'));
    const reported = hub.emulator!.state.twinOf('rb-2', '$edgeAgent').properties.reported as any;
    assert.equal(reported.modules.sensor.settings.image, 'localhost:5000/sensor:1.0');
  });

  it('20% injected hub faults (429/500/503) do not change the verdict', async () => {
    const healthy = await smoke({ deploymentId: 'healthy-1', stabilityMs: 0 });
    const mixed = await smoke({ deploymentId: 'mixed-2', timeoutMs: 600, stabilityMs: 0 });
    hub.emulator!.faults.set([
      { route: 'POST /devices/query', fault: 429, rate: 0.2, seed: 11, retryAfterSeconds: 0 },
      { route: '* /configurations/*', fault: 503, rate: 0.2, seed: 12 },
      { route: 'POST /devices/query', fault: 500, rate: 0.2, seed: 13 },
    ] as never);
    try {
      let retries = 0;
      for (let i = 0; i < 3; i++) {
        const h = await smoke({ deploymentId: 'healthy-1', stabilityMs: 0 });
        const m = await smoke({ deploymentId: 'mixed-2', timeoutMs: 600, stabilityMs: 0 });
        assert.equal(h.report.verdict.passed, healthy.report.verdict.passed);
        assert.deepEqual(h.report.counts, healthy.report.counts);
        assert.equal(m.report.verdict.passed, mixed.report.verdict.passed);
        assert.deepEqual(m.report.devices.map((d) => [d.deviceId, d.state]).filter(([id]) => id !== 'm-flap'), mixed.report.devices.map((d) => [d.deviceId, d.state]).filter(([id]) => id !== 'm-flap'));
        retries += h.report.retries + m.report.retries;
      }
      assert.ok(retries > 0, 'faults were injected and retried');
    } finally {
      hub.emulator!.faults.set([]);
    }
  });
});
