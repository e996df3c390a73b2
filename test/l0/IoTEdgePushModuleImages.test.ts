import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { readPushResults } from '../../shared/manifest/push-results';
import { busyboxImage, requireDocker } from '../support/docker';
import { TestRegistry, startRegistry } from '../support/registry';
import { copySolution, noStackTrace, outputVariable, runRealL0 } from './IoTEdgeBuildModuleImages.support';

/** IoTEdgePushModuleImages under MockTestRunner with the real task-lib, real Docker and a real registry (htpasswd + TLS). */
/**
 * Output with the lines the agent itself masks removed: setsecret commands, and task-lib's own debug echo of
 * endpoint auth parameters (the agent registers every endpoint auth parameter as a secret before the task starts).
 */
function visible(stdout: string): string {
  return stdout.split('\n').filter((l) => !l.startsWith('##vso[task.setsecret]') && !/^##vso\[task\.debug\]\w+ auth param /.test(l)).join('\n');
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath ?? d.path, d.name));
}

describe('L0: IoTEdgePushModuleImages', function () {
  this.timeout(240_000);
  let sol: string;
  let reg: TestRegistry;
  const tag = `l0p${Date.now()}`;
  const vars = () => ({ 'Agent.TempDirectory': path.join(sol, '.agent-tmp'), CONTAINER_TAG: tag, CONTAINER_REGISTRY_SERVER: reg.address });
  const endpoint = (password: string) => ({ reg1: { url: `https://${reg.address}`, scheme: 'UsernamePassword',
    parameters: { username: reg.username!, password }, data: { registrytype: 'Others' } } });
  const inputs = () => ({
    templateFilePath: path.join(sol, 'deployment.template.json'), platforms: 'amd64',
    containerRegistryType: 'Generic Container Registry', dockerRegistryServiceConnection: 'reg1',
    buildResultsPath: path.join(sol, 'out', 'build.json'), resultsPath: path.join(sol, 'out', 'push.json'),
  });

  before(async () => {
    requireDocker(); busyboxImage();
    sol = copySolution('buildpush-basic');
    reg = await startRegistry({ auth: true, tls: true });
    const b = await runRealL0({ task: 'IoTEdgeBuildModuleImages', variables: vars(),
      inputs: { templateFilePath: path.join(sol, 'deployment.template.json'), platforms: 'amd64', resultsPath: path.join(sol, 'out', 'build.json') } });
    assert.ok(b.succeeded, b.stdout);
  });
  after(async () => { await reg?.stop(); fs.rmSync(sol, { recursive: true, force: true }); });

  it('pushes with a dockerregistry connection, records registry digests, logs out, then skips unchanged images', async () => {
    const tr = await runRealL0({ task: 'IoTEdgePushModuleImages', inputs: inputs(), variables: vars(), endpoints: endpoint(reg.password!) });
    assert.ok(tr.succeeded, tr.stdout + tr.stderr);
    assert.equal(outputVariable(tr.stdout, 'IMAGES_PUSHED'), '2', tr.stdout);
    assert.ok(!visible(tr.stdout).includes(reg.password!), 'password never printed');
    assert.ok(tr.stdOutContained(`##vso[task.setsecret]${reg.password}`), 'password registered as secret');
    const results = readPushResults(inputs().resultsPath); // the manifest engine's reader accepts it
    assert.equal(results.registry, reg.address);
    assert.equal(results.images.length, 2);
    for (const i of results.images) {
      assert.match(i.digest!, /^sha256:[0-9a-f]{64}$/);
      assert.equal(i.pushed, true);
      assert.ok(i.tag.startsWith(`${reg.address}/edgeops-test/`), i.tag);
    }
    // docker push/tag go through the task-lib tool runner (it echoes "[command]…"); login through stdin, never an argument.
    assert.match(tr.stdout, /\[command\]\S*docker push /);
    assert.ok(!/\[command\]\S*docker login/.test(tr.stdout), 'login is not echoed by the tool runner (it needs stdin)');
    // No artifact or temp file of ours holds the password (plain or in a Basic header).
    const b64 = Buffer.from(`${reg.username}:${reg.password}`).toString('base64');
    for (const f of filesUnder(path.join(sol, 'out')).concat(filesUnder(vars()['Agent.TempDirectory']))) {
      const text = fs.readFileSync(f, 'utf8');
      assert.ok(!text.includes(reg.password!) && !text.includes(b64), `secret in ${f}`);
    }
    assert.ok(filesUnder(vars()['Agent.TempDirectory']).some((f) => /push-summary-.*\.md$/.test(f)), 'the summary was written');
    const cfg = path.join(process.env.DOCKER_CONFIG ?? path.join(process.env.HOME ?? '/root', '.docker'), 'config.json');
    if (fs.existsSync(cfg)) assert.ok(!fs.readFileSync(cfg, 'utf8').includes(reg.address), 'logged out of the registry');

    const again = await runRealL0({ task: 'IoTEdgePushModuleImages', inputs: inputs(), variables: vars(), endpoints: endpoint(reg.password!) });
    assert.ok(again.succeeded, again.stdout);
    assert.equal(outputVariable(again.stdout, 'IMAGES_PUSHED'), '0');
    assert.equal(outputVariable(again.stdout, 'IMAGES_SKIPPED'), '2');
    assert.deepEqual(readPushResults(inputs().resultsPath).images.map((i) => i.digest), results.images.map((i) => i.digest));
  });

  it('says "authentication failed for <registry>" on a wrong password, without printing it', async () => {
    const wrong = `wrong-${Date.now()}-secret`;
    const tr = await runRealL0({ task: 'IoTEdgePushModuleImages', inputs: { ...inputs(), resultsPath: path.join(sol, 'out', 'x.json') }, variables: vars(), endpoints: endpoint(wrong) });
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained(`authentication failed for ${reg.address}`), tr.stdout);
    assert.ok(!visible(tr.stdout).includes(wrong), 'secret never printed');
    assert.ok(noStackTrace(tr.stdout));
  });

  it('fails clearly for an AzureRM connection with an unsupported scheme', async () => {
    const tr = await runRealL0({ task: 'IoTEdgePushModuleImages', variables: vars(),
      inputs: { ...inputs(), containerRegistryType: 'Azure Container Registry', azureSubscription: 'arm1', azureContainerRegistry: '{"loginServer":"myacr.azurecr.io"}' },
      endpoints: { arm1: { url: 'https://management.azure.com/', scheme: 'PublishProfile', parameters: {} } } });
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('unsupported scheme "PublishProfile"'), tr.stdout);
  });
});
