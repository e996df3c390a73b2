import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startHub, TestHub } from '../../support/emulator';
import { deploymentContent, FakeFleet } from './fleet';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const NO_STACK = /\n\s+at .+:\d+:\d+\)/;

function edgeops(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin', 'edgeops.js'), ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/** `edgeops smoke` as a user runs it: a child process against the emulator; exit 0 only when the gate passes. */
describe('smoke: edgeops smoke CLI', function () {
  this.timeout(90_000);
  let hub: TestHub;
  let fleet: FakeFleet;
  let tmp: string;
  const common = () => ['--hub-info', hub.hubInfoFile, '--timeout', '2', '--stability', '0.3', '--interval', '0.1', '--summary-dir', tmp];

  before(async () => {
    hub = await startHub();
    fleet = new FakeFleet(hub.emulator!);
    fleet.add(['c-1', 'c-2'], 'healthy', { env: 'cli' });
    fleet.add(['c-3'], 'wrongImage', { env: 'cli' });
    const { registry } = hub.clients();
    await registry.addConfiguration({ id: 'cli-ok', priority: 10, schemaVersion: '1.0', targetCondition: "tags.env='cli' AND deviceId != 'c-3'", content: deploymentContent('1.0') } as never);
    await registry.addConfiguration({ id: 'cli-all', priority: 20, schemaVersion: '1.0', targetCondition: "tags.env='cli'", content: deploymentContent('1.0') } as never);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-smoke-cli-'));
  });
  after(async () => { fleet?.stop(); await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  it('exit 0 when the gate passes; JUnit written where asked', async () => {
    const junit = path.join(tmp, 'out', 'results.xml');
    const r = await edgeops(['smoke', ...common(), '--deployment', 'cli-all', '--threshold', '2', '--junit', junit]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /Smoke test PASSED: 2 passed, 1 failed, 0 offline of 3/);
    assert.match(fs.readFileSync(junit, 'utf8'), /classname="c-3" name="modules online"[^>]*>\s*<failure message="sensor: runs localhost:5000\/sensor:0\.9-hotfix/);
  });

  it('exit 1 when it fails, with the device and the reason; the key never printed', async () => {
    const key = /SharedAccessKey=([^;]+)/.exec(hub.connectionString)![1];
    const r = await edgeops(['smoke', '--hub', hub.connectionString, '--ca', hub.caFile, '--timeout', '1', '--stability', '0', '--interval', '0.1', '--summary-dir', tmp, '--deployment', 'cli-all']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /FAILED\s+c-3: sensor: runs localhost:5000\/sensor:0\.9-hotfix, expected localhost:5000\/sensor:1\.0/);
    assert.match(r.out, /Smoke test FAILED: 2 passed, 1 failed, 0 offline of 3/);
    assert.ok(!r.out.includes(key), 'no key in the output');
  });

  it('--rollback without an earlier deployment in the series says so and still fails', async () => {
    const r = await edgeops(['smoke', ...common(), '--deployment', 'cli-all', '--timeout', '0.5', '--rollback']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /Rollback: FAILED: .*cli-all/);
    assert.ok(!NO_STACK.test(r.out));
  });

  it('usage errors: clear message, non-zero exit, no stack trace', async () => {
    const noDep = await edgeops(['smoke', '--hub-info', hub.hubInfoFile]);
    assert.notEqual(noDep.code, 0);
    assert.match(noDep.out, /Missing required option --deployment/);
    const badThr = await edgeops(['smoke', '--hub-info', hub.hubInfoFile, '--deployment', 'cli-ok', '--threshold', 'lots']);
    assert.notEqual(badThr.code, 0);
    assert.match(badThr.out, /--threshold must be a percentage like "90%" or a device count like "5", got "lots"/);
    const unknown = await edgeops(['smoke', '--hub-info', hub.hubInfoFile, '--deployment', 'nope']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.out, /Deployment nope does not exist/);
    for (const r of [noDep, badThr, unknown]) assert.ok(!NO_STACK.test(r.out), r.out);
  });
});
