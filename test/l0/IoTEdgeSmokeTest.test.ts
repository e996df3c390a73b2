import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { runL0 } from '../support/l0';
import { startHubProcess, TestHub } from '../support/emulator';
import { deploymentContent } from '../integration/smoke/fleet';
import { SdkAgent, startSdkAgent } from '../integration/smoke/sdk-agent';

const NO_STACK = /\n\s+at .+:\d+:\d+\)/;
const output = (stdout: string, name: string) => new RegExp(`##vso\\[task\\.setvariable variable=${name};isOutput=true;issecret=false;\\](.*)`).exec(stdout)?.[1].trim();

/**
 * IoTEdgeSmokeTest through task-lib's mock runner. mock-test runs the task with spawnSync, so the hub
 * runs in its own process; devices report as $edgeAgent through azure-iot-device beforehand.
 */
describe('L0: IoTEdgeSmokeTest', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  const agents: SdkAgent[] = [];
  let tmp: string;

  const scenario = (inputs: Record<string, string>) => ({
    task: 'IoTEdgeSmokeTest',
    inputs: {
      connectionType: 'connectionString', iothubConnectionString: hub.connectionString, deploymentId: 'rel-1', timeoutSeconds: '2',
      threshold: '100%', stabilitySeconds: '0.5', pollIntervalSeconds: '0.1', junitPath: path.join(tmp, 'junit', 'smoke.xml'), ...inputs,
    },
    variables: { 'EdgeOps.HubCaFile': hub.caFile, 'Agent.TempDirectory': tmp },
  });

  before(async () => {
    hub = await startHubProcess();
    registry = hub.clients().registry;
    const ca = fs.readFileSync(hub.caFile, 'utf8');
    for (const [id, env] of [['l0-a', 'l0'], ['l0-b', 'l0'], ['l0-c', 'l0'], ['l0-d', 'l0bad'], ['l0-e', 'l0bad'], ['l0-f', 'l0bad'], ['l0-bad', 'l0bad']]) {
      await registry.create({ deviceId: id, capabilities: { iotEdge: true } } as never);
      await (await registry.getTwin(id)).responseBody.update({ tags: { env } });
      agents.push(await startSdkAgent(hub, ca, registry, id, { crash: id === 'l0-bad' }));
    }
    await registry.addConfiguration({ id: 'rel-1', priority: 10, schemaVersion: '1.0', targetCondition: "tags.env='l0'", content: deploymentContent('1.0') } as never);
    await registry.addConfiguration({ id: 'rel-bad', priority: 10, schemaVersion: '1.0', targetCondition: "tags.env='l0bad'", content: deploymentContent('1.0') } as never);
    for (const a of agents) await a.applied();
    // applied() can resolve on an earlier desired version; wait until every agent reported the latest one,
    // so the verdicts below don't depend on machine load.
    const deadline = Date.now() + 20_000;
    for (const a of agents) {
      for (;;) {
        const twin = (await registry.getModuleTwin(a.deviceId, '$edgeAgent')).responseBody as unknown as { properties: { desired: { $version: number }; reported: { lastDesiredVersion?: number } } };
        if (twin.properties.reported.lastDesiredVersion === twin.properties.desired.$version) break;
        assert.ok(Date.now() < deadline, `${a.deviceId} did not report its latest desired version`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-l0-smoke-'));
  });
  after(async () => { for (const a of agents) await a.close(); await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('passes a healthy rollout: outputs, JUnit file, run summary, connection string masked', async () => {
    const tr = await runL0(scenario({}));
    assert.ok(tr.succeeded, tr.stdout);
    assert.equal(output(tr.stdout, 'SMOKE_TEST_PASSED'), 'true');
    assert.equal(output(tr.stdout, 'DEVICES_PASSED'), '3');
    assert.equal(output(tr.stdout, 'DEVICES_FAILED'), '0');
    assert.equal(output(tr.stdout, 'DEVICES_OFFLINE'), '0');
    const junit = output(tr.stdout, 'JUNIT_PATH')!;
    assert.equal(junit, path.join(tmp, 'junit', 'smoke.xml'));
    assert.match(fs.readFileSync(junit, 'utf8'), /<testsuite name="IoT Edge smoke test rel-1" tests="12" failures="0"/);
    const summary = /##vso\[task\.uploadsummary\](.+)/.exec(tr.stdout)![1].trim();
    assert.match(fs.readFileSync(summary, 'utf8'), /rel-1 — PASSED/);
    assert.ok(tr.stdOutContained('##vso[task.setsecret]'), 'secret registered');
    assert.ok(/poll \d+ at \d+ s — 3 passed/.test(tr.stdout), 'progress line');
  });

  it('fails the task when the gate fails, naming the device and why; outputs still set', async () => {
    const tr = await runL0(scenario({ deploymentId: 'rel-bad', timeoutSeconds: '3' }));
    assert.ok(tr.failed, tr.stdout);
    assert.equal(output(tr.stdout, 'SMOKE_TEST_PASSED'), 'false');
    assert.equal(output(tr.stdout, 'DEVICES_PASSED'), '3');
    assert.equal(output(tr.stdout, 'DEVICES_FAILED'), '1');
    assert.ok(/FAILED\s+l0-bad: sensor: runtimeStatus backoff \(exit code 1\)/.test(tr.stdout), tr.stdout);
    assert.ok(/Smoke test of rel-bad failed: 3 passed, 1 failed, 0 offline of 4 device\(s\) — .*below the 100%(AZP25)? threshold/.test(tr.stdout), tr.stdout);
    assert.ok(!NO_STACK.test(tr.stdout));
  });

  it('a 75% threshold passes the same rollout', async () => {
    const tr = await runL0(scenario({ deploymentId: 'rel-bad', timeoutSeconds: '3', threshold: '75%' }));
    assert.ok(tr.succeeded, tr.stdout);
    assert.equal(output(tr.stdout, 'SMOKE_TEST_PASSED'), 'true');
  });

  it('bad inputs: a clear message naming the input, no stack trace', async () => {
    const bad = await runL0(scenario({ threshold: 'most' }));
    assert.ok(bad.failed);
    assert.ok(bad.stdOutContained('or a device count like "5", got "most"'), bad.stdout);
    assert.ok(!NO_STACK.test(bad.stdout));
    const missing = await runL0({ task: 'IoTEdgeSmokeTest', inputs: {} });
    assert.ok(missing.failed);
    assert.ok(/Input required: \w+/.test(missing.stdout), missing.stdout);
    const unknown = await runL0(scenario({ deploymentId: 'nope' }));
    assert.ok(unknown.failed);
    assert.ok(/Deployment nope does not exist on 127\.0\.0\.1:\d+/.test(unknown.stdout), unknown.stdout);
  });
});
