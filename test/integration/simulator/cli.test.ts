import * as assert from 'assert';
import { spawn } from 'child_process';
import * as path from 'path';
import { startHub, TestHub } from '../../support/emulator';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** `edgeops devices simulate` as a child process: status lines, SIGTERM → exit 0; bad input → clear error. */
describe('edgeops devices simulate (CLI)', function () {
  this.timeout(60_000);
  let hub: TestHub;
  before(async () => { hub = await startHub(); });
  after(async () => { await hub?.stop(); });

  it('connects the devices, prints a line per state change and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'edgeops.js'), 'devices', 'simulate', '--hub-info', hub.hubInfoFile, '--count', '3', '--prefix', 'cli-',
      '--offline', '1', '--tags', '{"environment":"qa"}'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const deadline = Date.now() + 30_000;
    while (!/2 device\(s\) connected, 1 offline \(cli-0003\)/.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`simulator did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.match(out, /cli-0001 v\d+ 417/);
    const { registry } = hub.clients();
    assert.strictEqual(((await registry.getTwin('cli-0002')).responseBody as any).connectionState, 'Connected');
    assert.strictEqual(((await registry.getTwin('cli-0002')).responseBody as any).tags.environment, 'qa');
    child.kill('SIGTERM');
    assert.strictEqual(await exited, 0, out);
    assert.match(out, /Simulator stopped/);
    assert.ok(!/SharedAccessKey=/.test(out), 'no keys printed');
  });

  it('rejects bad options without a stack trace', async () => {
    const child = spawn(process.execPath, [path.join(REPO, 'bin', 'edgeops.js'), 'devices', 'simulate', '--hub-info', hub.hubInfoFile, '--count', '2', '--tags', '[1]'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d) => { out += d; });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.notStrictEqual(code, 0);
    assert.match(out, /--tags must be a JSON object/);
    assert.ok(!/\n\s+at /.test(out), out);
  });
});
