import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { startHub, TestHub } from '../../support/emulator';
import { main } from '../../../cli/main';
import { withRetry } from '../../../shared/core/retry';
import { baseManifest, seedDevices, writeManifest, agentImage } from './fixtures';

/**
 * `edgeops deploy` end to end with ~20% of all hub requests failing (429 with Retry-After, 500,
 * 503): every scenario still ends correct — no duplicate deployments, nothing removed that
 * still serves devices, the right exit code.
 */
describe('deploy: 20% injected hub faults (edgeops deploy via the CLI)', function () {
  this.timeout(120_000);
  let hub: TestHub;
  let registry: Registry;
  let tmp: string;
  let allOut = '';
  const cli = async (...args: string[]) => {
    const saved = process.stdout.write;
    const savedErr = process.stderr.write;
    let out = '';
    process.env.EDGEOPS_VERBOSE = '1';
    process.stdout.write = ((c: string) => { out += c; return true; }) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => { out += c; return true; }) as typeof process.stderr.write;
    try {
      return { code: await main(['deploy', ...args, '--hub-info', hub.hubInfoFile, '--summary-dir', path.join(tmp, 's')]), out };
    } finally {
      process.stdout.write = saved;
      process.stderr.write = savedErr;
      delete process.env.EDGEOPS_VERBOSE;
      allOut += out;
    }
  };
  // The test's own checks go through the faulty hub too, so they retry like the product does.
  const ids = () => withRetry(async () => ((await registry.getConfigurations()).responseBody).map((c) => c.id).sort(), { baseDelayMs: 20 });
  const image = (d: string) => withRetry(() => agentImage(registry, d), { baseDelayMs: 20 });

  before(async () => {
    hub = await startHub();
    registry = hub.clients().registry;
    await seedDevices(registry, [{ id: 'e1', env: 'qa' }, { id: 'e2', env: 'qa' }, { id: 'e3', env: 'qa' }]);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-deploy-faults-'));
    for (const v of ['1', '2', '3']) writeManifest(tmp, `m${v}.json`, baseManifest(v, { password: 'pw' }));
    hub.emulator!.faults.set([
      { route: '* /**', fault: 429, rate: 0.07, retryAfterSeconds: 0, seed: 11 },
      { route: '* /**', fault: 500, rate: 0.07, seed: 12 },
      { route: '* /**', fault: 503, rate: 0.07, seed: 13 },
    ]);
  });
  after(async () => { await hub?.stop(); fs.rmSync(tmp, { recursive: true, force: true }); });

  const deploy = (n: string, ...extra: string[]) => cli('--manifest', path.join(tmp, `m${n}.json`), '--id', `rel-${n}`, '--target-condition', "tags.env='qa'", '--priority', '5', '--keep', '2', ...extra);

  it('creates, re-runs idempotently, refuses a conflict, advances with retention and rolls back — all correct under faults', async () => {
    let r = await deploy('1');
    assert.equal(r.code, 0, r.out);
    r = await deploy('1');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /nothing to change/);
    assert.deepEqual(await ids(), ['rel-1']);

    r = await cli('--manifest', path.join(tmp, 'm2.json'), '--id', 'rel-1', '--target-condition', "tags.env='qa'", '--priority', '5');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /already exists .* different content/);
    assert.deepEqual(await ids(), ['rel-1']);

    assert.equal((await deploy('2')).code, 0);
    assert.equal((await deploy('3')).code, 0);
    // keep 2: rel-1 was no longer applied anywhere once rel-2 won, so it went; rel-2 stays.
    assert.deepEqual(await ids(), ['rel-2', 'rel-3']);
    assert.equal(await image('e1'), 'localhost:5000/sensor:3');

    r = await cli('rollback', '--id', 'rel-3');
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /restored rel-2/);
    assert.deepEqual(await ids(), ['rel-2']);
    for (const d of ['e1', 'e2', 'e3']) assert.equal(await image(d), 'localhost:5000/sensor:2');

    r = await cli('rollback', '--id', 'rel-2');
    assert.equal(r.code, 1, 'nothing to roll back to');
    assert.deepEqual(await ids(), ['rel-2'], 'the deployment serving devices is still there');
    const retries = allOut.match(/debug: retry \d/g) ?? [];
    assert.ok(retries.length >= 5, `faults were injected and retried (${retries.length})`);
    assert.ok(!allOut.includes(hub.connectionString.split('SharedAccessKey=')[1]), 'no key in output');
  });

  it('a hub that keeps failing ends non-zero and removes nothing', async () => {
    hub.emulator!.faults.set([{ route: 'DELETE /**', fault: 503 }]);
    writeManifest(tmp, 'm4.json', baseManifest('4', { password: 'pw' }));
    const r = await cli('--manifest', path.join(tmp, 'm4.json'), '--id', 'rel-4', '--target-condition', "tags.env='qa'", '--priority', '5', '--keep', '1');
    assert.notEqual(r.code, 0, r.out);
    assert.match(r.out, /503/);
    const left = await (async () => { hub.emulator!.faults.set([]); return ids(); })();
    assert.ok(left.includes('rel-2') && left.includes('rel-4'), `created first, old one kept: ${left}`);
  });
});
