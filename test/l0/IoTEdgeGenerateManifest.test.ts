import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runL0 } from '../support/l0';

/** L0: the task's tsc output under task-lib's mock runner, on a real fixture solution copied to a temp folder. */
const fixture = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'manifest', 'basic');
const noStack = (s: string) => !/\n\s+at .+:\d+:\d+\)/.test(s);

describe('L0: IoTEdgeGenerateManifest', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-l0-gm-'));
    fs.cpSync(fixture, dir, { recursive: true });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the manifest, sets DEPLOYMENT_FILE_PATH, registers the registry password as a secret', async () => {
    const out = path.join(dir, 'config', 'deployment.json');
    const tr = await runL0({ task: 'IoTEdgeGenerateManifest', inputs: {
      templateFilePath: path.join(dir, 'deployment.template.json'), platform: 'arm32v7', outputPath: out, validateSchema: 'error',
    } });
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(tr.stdOutContained(`##vso[task.setvariable variable=DEPLOYMENT_FILE_PATH;`), tr.stdout);
    assert.ok(tr.stdOutContained(out));
    assert.ok(tr.stdOutContained('##vso[task.setsecret]s3cr3t-pa$$'), 'password from .env registered as secret');
    const written = fs.readFileSync(out, 'utf8');
    assert.equal(written, fs.readFileSync(path.join(fixture, 'expected', 'deployment.arm32v7.json'), 'utf8'));
    assert.ok(!written.includes('s3cr3t'));
    assert.ok(fs.existsSync(path.join(dir, 'config', 'deployment.summary.json')));
  });

  it('names a missing required input', async () => {
    const tr = await runL0({ task: 'IoTEdgeGenerateManifest', inputs: { platform: 'amd64' } });
    assert.ok(tr.failed);
    assert.ok(/Input required: templateFilePath/.test(tr.stdout), tr.stdout);
  });

  it('fails on a bad template with file:line:column, no stack trace, nothing written', async () => {
    const tpl = path.join(dir, 'deployment.template.json');
    fs.writeFileSync(tpl, '{\n  "modulesContent": {\n    "$edgeAgent": { , }\n  }\n}\n');
    const out = path.join(dir, 'out', 'deployment.json');
    const tr = await runL0({ task: 'IoTEdgeGenerateManifest', inputs: { templateFilePath: tpl, platform: 'amd64', outputPath: out } });
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained(`${tpl}:3:21`), tr.stdout);
    assert.ok(noStack(tr.stdout), tr.stdout);
    assert.ok(!fs.existsSync(out));
  });

  it('fails listing every unresolved variable with its location', async () => {
    const tpl = path.join(dir, 'deployment.template.json');
    fs.writeFileSync(tpl, fs.readFileSync(tpl, 'utf8').replace('"${LOG_LEVEL}"', '"${LOG_LEVEL}-$MISSING_ONE"').replace('"1.0"', '"$MISSING_TWO"'));
    const tr = await runL0({ task: 'IoTEdgeGenerateManifest', inputs: { templateFilePath: tpl, platform: 'amd64', outputPath: path.join(dir, 'o.json') } });
    assert.ok(tr.failed);
    assert.ok(tr.stdOutContained('unresolved variable $MISSING_ONE'), tr.stdout);
    assert.ok(tr.stdOutContained('unresolved variable $MISSING_TWO'), tr.stdout);
    assert.ok(noStack(tr.stdout));
  });

  it('pins digests from a push results file', async () => {
    const push = path.join(dir, 'push.json');
    const digest = 'sha256:' + 'e'.repeat(64);
    fs.writeFileSync(push, JSON.stringify({ version: 1, registry: 'localhost:5000', images: [
      { module: 'filtermodule', platform: 'amd64', tag: 'localhost:5000/filtermodule:0.0.1-amd64', digest, repository: 'localhost:5000/filtermodule', pushed: true }] }));
    const out = path.join(dir, 'o.json');
    const tr = await runL0({ task: 'IoTEdgeGenerateManifest', inputs: { templateFilePath: path.join(dir, 'deployment.template.json'), platform: 'amd64', outputPath: out, pushResultsPath: push } });
    assert.ok(tr.succeeded, tr.stdout);
    assert.ok(fs.readFileSync(out, 'utf8').includes(`"localhost:5000/filtermodule@${digest}"`));
  });
});
