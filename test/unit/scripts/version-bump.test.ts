import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bumpAll, nextVersion } from '../../../scripts/version-bump';

describe('scripts/version-bump', () => {
  it('computes the next version', () => {
    assert.equal(nextVersion('1.2.3', 'patch'), '1.2.4');
    assert.equal(nextVersion('1.2.3', 'minor'), '1.3.0');
    assert.equal(nextVersion('1.2.3', 'major'), '2.0.0');
    assert.equal(nextVersion('1.2.3', '4.5.6'), '4.5.6');
    assert.throws(() => nextVersion('1.2.3', 'huge'), /expected major/);
  });

  it('moves package.json, vss-extension.json and every task.json together', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bump-'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'edgeops', version: '0.1.0' }));
    fs.writeFileSync(path.join(dir, 'vss-extension.json'), JSON.stringify({ version: '0.1.0' }));
    for (const t of ['A', 'B']) {
      fs.mkdirSync(path.join(dir, 'tasks', t), { recursive: true });
      fs.writeFileSync(path.join(dir, 'tasks', t, 'task.json'), JSON.stringify({ name: t, version: { Major: 0, Minor: 1, Patch: 0 } }));
    }
    assert.equal(bumpAll('minor', dir), '0.2.0');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'vss-extension.json'), 'utf8')).version, '0.2.0');
    for (const t of ['A', 'B']) {
      assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, 'tasks', t, 'task.json'), 'utf8')).version, { Major: 0, Minor: 2, Patch: 0 });
    }
    fs.rmSync(dir, { recursive: true });
  });
});
