import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFileAtomic } from '../../../shared/core/atomic-write';

describe('core/atomic-write', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-aw-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates folders and replaces the file in one step', () => {
    const f = path.join(dir, 'a', 'b', 'out.json');
    writeFileAtomic(f, 'one');
    writeFileAtomic(f, 'two');
    assert.equal(fs.readFileSync(f, 'utf8'), 'two');
    assert.deepEqual(fs.readdirSync(path.dirname(f)), ['out.json'], 'no temp files left behind');
  });

  it('refuses a directory as target, naming it', () => {
    assert.throws(() => writeFileAtomic(dir, 'x'), /Output path is a directory/);
  });

  it('leaves the old content when the write fails', function () {
    if (process.getuid?.() === 0) {
      // root ignores permissions; simulate an unwritable target with a file where a folder is needed
      const blocker = path.join(dir, 'blocker');
      fs.writeFileSync(blocker, 'x');
      assert.throws(() => writeFileAtomic(path.join(blocker, 'out.json'), 'y'), /Cannot (create output folder|write)/);
      assert.equal(fs.readFileSync(blocker, 'utf8'), 'x');
      return;
    }
    const f = path.join(dir, 'out.json');
    writeFileAtomic(f, 'old');
    fs.chmodSync(dir, 0o500);
    try {
      assert.throws(() => writeFileAtomic(f, 'new'), /Cannot write/);
      assert.equal(fs.readFileSync(f, 'utf8'), 'old');
    } finally {
      fs.chmodSync(dir, 0o700);
    }
  });
});
