import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { busyboxImage, requireDocker } from '../support/docker';
import { copySolution, noStackTrace, outputVariable, runRealL0 } from './IoTEdgeBuildModuleImages.support';

/** IoTEdgeBuildModuleImages under task-lib's MockTestRunner, against the real Docker engine. */
describe('L0: IoTEdgeBuildModuleImages', function () {
  this.timeout(180_000);
  let sol: string;
  const tag = `l0b${Date.now()}`;
  const variables = () => ({ 'Agent.TempDirectory': path.join(sol, '.agent-tmp'), CONTAINER_TAG: tag, 'Build.SourceVersion': 'abc123', CONTAINER_REGISTRY_SERVER: 'localhost:5000' });

  before(() => { requireDocker(); busyboxImage(); sol = copySolution('buildpush-basic'); });
  after(() => fs.rmSync(sol, { recursive: true, force: true }));

  it('builds every module, reports progress, summary and output variables, then reuses them unchanged', async () => {
    const inputs = { templateFilePath: path.join(sol, 'deployment.template.json'), platforms: 'amd64', resultsPath: path.join(sol, 'out', 'build.json') };
    const tr = await runRealL0({ task: 'IoTEdgeBuildModuleImages', inputs, variables: variables() });
    assert.ok(tr.succeeded, tr.stdout + tr.stderr);
    assert.equal(outputVariable(tr.stdout, 'IMAGES_BUILT'), '2', tr.stdout);
    assert.equal(outputVariable(tr.stdout, 'BUILD_RESULTS_PATH'), inputs.resultsPath);
    assert.ok(tr.stdOutContained('##vso[task.setprogress value=100;]'), 'progress reported');
    assert.ok(/##vso\[task\.uploadsummary\]/.test(tr.stdout), 'summary uploaded');
    const results = JSON.parse(fs.readFileSync(inputs.resultsPath, 'utf8'));
    assert.deepEqual(results.images.map((i: { module: string }) => i.module).sort(), ['alpha', 'beta']);
    for (const i of results.images) {
      assert.match(i.imageId, /^sha256:[0-9a-f]{64}$/);
      assert.equal(i.status, 'built');
      assert.ok(i.tag.endsWith(`-${tag}-amd64`), i.tag);
    }
    const summary = fs.readdirSync(path.join(sol, '.agent-tmp', 'edgeops')).find((f) => f.startsWith('build-summary'));
    assert.ok(summary);
    assert.match(fs.readFileSync(path.join(sol, '.agent-tmp', 'edgeops', summary!), 'utf8'), /\| alpha \| amd64 \| `localhost:5000\/edgeops-test\/alpha:0\.1\.0-.*` \| built \|/);

    const again = await runRealL0({ task: 'IoTEdgeBuildModuleImages', inputs, variables: variables() });
    assert.ok(again.succeeded, again.stdout);
    assert.equal(outputVariable(again.stdout, 'IMAGES_BUILT'), '0', again.stdout);
    assert.equal(outputVariable(again.stdout, 'IMAGES_REUSED'), '2');
  });

  it('fails naming module.json and the platform when a Dockerfile is missing, building nothing', async () => {
    const broken = copySolution('buildpush-basic');
    try {
      fs.rmSync(path.join(broken, 'modules', 'beta', 'Dockerfile'));
      const tr = await runRealL0({ task: 'IoTEdgeBuildModuleImages', variables: { 'Agent.TempDirectory': path.join(broken, '.t') },
        inputs: { templateFilePath: path.join(broken, 'deployment.template.json'), platforms: 'amd64', resultsPath: path.join(broken, 'r.json') } });
      assert.ok(tr.failed);
      assert.ok(/beta[\s\S]*Dockerfile|Dockerfile[\s\S]*beta/.test(tr.stdout), tr.stdout);
      assert.ok(noStackTrace(tr.stdout), tr.stdout);
      assert.ok(!fs.existsSync(path.join(broken, 'r.json')), 'no results file on bad input');
    } finally { fs.rmSync(broken, { recursive: true, force: true }); }
  });

  it('rejects an unsupported buildOption by name', async () => {
    const broken = copySolution('buildpush-basic');
    try {
      const mj = path.join(broken, 'modules', 'alpha', 'module.json');
      fs.writeFileSync(mj, fs.readFileSync(mj, 'utf8').replace('"--label com.example.team=edge"', '"--privileged"'));
      const tr = await runRealL0({ task: 'IoTEdgeBuildModuleImages', variables: { 'Agent.TempDirectory': path.join(broken, '.t') },
        inputs: { templateFilePath: path.join(broken, 'deployment.template.json'), platforms: 'amd64' } });
      assert.ok(tr.failed);
      assert.ok(tr.stdOutContained('Unsupported build option "--privileged"'), tr.stdout);
      assert.ok(tr.stdOutContained('module.json'), tr.stdout);
    } finally { fs.rmSync(broken, { recursive: true, force: true }); }
  });

  it('rejects an unknown platform', async () => {
    const tr = await runRealL0({ task: 'IoTEdgeBuildModuleImages', variables: { 'Agent.TempDirectory': path.join(sol, '.t') },
      inputs: { templateFilePath: path.join(sol, 'deployment.template.json'), platforms: 'amd64,sparc' } });
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained("Unknown platform 'sparc'"), tr.stdout);
    assert.ok(noStackTrace(tr.stdout));
  });
});
