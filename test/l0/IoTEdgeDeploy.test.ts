import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { runL0 } from '../support/l0';
import { startHubProcess, TestHub } from '../support/emulator';
import { baseManifest, seedDevices, writeManifest } from '../integration/deploy/fixtures';

const NO_STACK = /\n\s+at .+:\d+:\d+\)/;

/**
 * Lines that show a secret, other than task-lib's own echo of inputs/endpoint parameters (the agent
 * masks those, as the values come from secret variables / endpoints) and setsecret itself.
 */
function leaks(stdout: string, secret: string): string[] {
  return stdout.split('\n').filter((l) => l.includes(secret) && !/^##vso\[task\.setsecret\]|^##vso\[task\.debug\](\w+=|\w+ auth param )/.test(l));
}

/** IoTEdgeDeploy through task-lib's mock runner, talking to the emulator with the real SDK. */
describe('L0: IoTEdgeDeploy', function () {
  this.timeout(60_000);
  let hub: TestHub;
  let registry: Registry;
  let tmp: string;
  let key: string;

  const scenario = (inputs: Record<string, string>, variables: Record<string, string> = {}) => ({
    task: 'IoTEdgeDeploy',
    inputs: {
      action: 'deploy', connectionType: 'connectionString', iothubConnectionString: hub.connectionString, deploymentFilePath: 'config/deployment.json',
      deploymentId: 'Web App', priority: '3', deviceOption: 'Multiple Devices', targetCondition: "tags.env='dev'", keepDeployments: '2', ...inputs,
    },
    variables: {
      'EdgeOps.HubCaFile': hub.caFile, 'System.DefaultWorkingDirectory': tmp, 'Agent.TempDirectory': tmp, 'Build.BuildId': '41', 'System.StageName': 'Dev',
      'Build.DefinitionName': 'web', 'Build.SourceVersion': '0123456789abcdef', CONTAINER_REGISTRY_PASSWORD: 'pw-from-variable', ...variables,
    },
  });

  before(async () => {
    // A separate process: mock-test runs the task with spawnSync, which would block an in-process emulator.
    hub = await startHubProcess();
    key = /SharedAccessKey=([^;]+)/.exec(hub.connectionString)![1];
    registry = hub.clients().registry;
    await seedDevices(registry, [{ id: 'a', env: 'dev' }, { id: 'b', env: 'dev' }]);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-l0-deploy-'));
    writeManifest(tmp, 'config/deployment.json', baseManifest('1.0'));
  });
  after(async () => { await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('deploys: outputs, run summary with the diff, connection string masked', async () => {
    const tr = await runL0(scenario({}));
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdOutContained('##vso[task.setvariable variable=DEPLOYMENT_ID;isOutput=true;issecret=false;]web-app-41-dev'), tr.stdout);
    assert.ok(tr.stdOutContained('##vso[task.setvariable variable=TARGETED_DEVICE_COUNT;isOutput=true;issecret=false;]2'));
    assert.ok(tr.stdOutContained('##vso[task.uploadsummary]'));
    assert.ok(tr.stdOutContained('+ module sensor: localhost:5000/sensor:1.0'), 'diff printed');
    assert.ok(tr.stdOutContained(`##vso[task.setsecret]${hub.connectionString}`) || tr.stdOutContained('##vso[task.setsecret]'), 'secret registered');
    const summary = /variable=SUMMARY_PATH;isOutput=true;issecret=false;\](.+)/.exec(tr.stdout)![1].trim();
    const json = JSON.parse(fs.readFileSync(summary, 'utf8')) as { action: string };
    assert.equal(json.action, 'created');
    assert.ok(!fs.readFileSync(summary, 'utf8').includes('pw-from-variable'));
    assert.deepEqual(leaks(tr.stdout, key), []);
    assert.deepEqual(leaks(tr.stdout, 'pw-from-variable'), []);
    const cfg = (await registry.getConfiguration('web-app-41-dev')).responseBody;
    assert.equal(cfg.priority, 3);
    assert.equal(cfg.labels!['edgeops.series'], 'web-app-dev');
  });

  it('re-run: succeeds and says nothing changed', async () => {
    const tr = await runL0(scenario({}));
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdOutContained('nothing to change'));
  });

  it('next release then rollback: PREVIOUS_DEPLOYMENT_ID, restored deployment', async () => {
    writeManifest(tmp, 'config/deployment.json', baseManifest('2.0'));
    let tr = await runL0(scenario({}, { 'Build.BuildId': '42' }));
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdOutContained('variable=PREVIOUS_DEPLOYMENT_ID;isOutput=true;issecret=false;]web-app-41-dev'), tr.stdout);
    tr = await runL0(scenario({ action: 'rollback' }, { 'Build.BuildId': '42' }));
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdOutContained('variable=PREVIOUS_DEPLOYMENT_ID;isOutput=true;issecret=false;]web-app-41-dev'), tr.stdout);
    const ids = (await registry.getConfigurations()).responseBody.map((c) => c.id);
    assert.deepEqual(ids, ['web-app-41-dev']);
  });

  it('bad input fails clearly without a stack trace: priority, conflicting id, glob with two matches, bad condition', async () => {
    let tr = await runL0(scenario({ priority: 'high' }));
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('Input "priority" must be an integer'), tr.stdout);
    assert.ok(!NO_STACK.test(tr.stdout));
    tr = await runL0(scenario({}, { 'Build.BuildId': '41' })); // 41 exists with 1.0 content, manifest is 2.0 now
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('already exists on'), tr.stdout);
    writeManifest(tmp, 'config/deployment.arm32v7.json', baseManifest('2.0'));
    tr = await runL0(scenario({ deploymentFilePath: 'config/deployment*.json' }, { 'Build.BuildId': '50' }));
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('matches 2 files'), tr.stdout);
    tr = await runL0(scenario({ targetCondition: "tags.env = = 'x'" }, { 'Build.BuildId': '51' }));
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('is not valid'), tr.stdout);
    assert.deepEqual(leaks(tr.stdout, key), [], 'hub key never printed');
  });

  it('AzureRM with a bad service principal names the hub and auth mode, never the secret', async () => {
    const secret = 'spn-secret-value-123';
    const tr = await runL0({
      ...scenario({ connectionType: 'azureRM', azureSubscription: 'arm', iothubname: 'myhub' }, { 'Build.BuildId': '60' }),
      endpoints: { arm: { url: 'https://management.azure.com/', auth: { scheme: 'ServicePrincipal', parameters: { tenantid: 'tenant-1', serviceprincipalid: 'client-1', serviceprincipalkey: secret } }, data: { environmentAuthorityUrl: 'https://127.0.0.1:9/' } } },
    });
    assert.ok(tr.failed, tr.stdout);
    assert.ok(tr.stdOutContained('myhub.azure-devices.net'), tr.stdout);
    assert.ok(tr.stdOutContained('service principal (secret) via Azure connection arm'), tr.stdout);
    assert.ok(tr.stdOutContained(`##vso[task.setsecret]${secret}`), 'registered as a secret');
    assert.deepEqual(leaks(tr.stdout, secret), []);
  });

  it('names a missing required input', async () => {
    const tr = await runL0({ task: 'IoTEdgeDeploy', inputs: { action: 'deploy' } });
    assert.ok(tr.failed);
    assert.ok(/Input required: connectionType/.test(tr.stdout), tr.stdout);
  });
});
