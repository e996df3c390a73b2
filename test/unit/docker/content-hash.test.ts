import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { contentHash } from '../../../shared/docker/content-hash';

describe('docker/content-hash', () => {
  let dir: string;
  const input = () => ({ contextPath: dir, dockerfile: path.join(dir, 'Dockerfile'), platform: 'amd64', buildOptions: ['--build-arg', 'A=1'] });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-hash-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY . /\n');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'a');
    fs.writeFileSync(path.join(dir, '.dockerignore'), '# comment\nlogs\n*.tmp\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is stable and changes with any context file, the Dockerfile, build args or platform', async () => {
    const h0 = await contentHash(input());
    assert.equal(await contentHash(input()), h0);
    assert.match(h0, /^sha256:[0-9a-f]{64}$/);
    fs.writeFileSync(path.join(dir, 'src', 'a.txt'), 'b');
    const h1 = await contentHash(input());
    assert.notEqual(h1, h0);
    fs.appendFileSync(path.join(dir, 'Dockerfile'), 'LABEL x=y\n');
    const h2 = await contentHash(input());
    assert.notEqual(h2, h1);
    assert.notEqual(await contentHash({ ...input(), buildOptions: ['--build-arg', 'A=2'] }), h2);
    assert.notEqual(await contentHash({ ...input(), platform: 'arm32v7' }), h2);
    fs.chmodSync(path.join(dir, 'src', 'a.txt'), 0o755);
    assert.notEqual(await contentHash(input()), h2);
  });
  it('ignores what .dockerignore excludes', async () => {
    const h0 = await contentHash(input());
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'logs', 'x.log'), 'x');
    fs.writeFileSync(path.join(dir, 'scratch.tmp'), 'x');
    assert.equal(await contentHash(input()), h0);
  });
  it('hashes everything when .dockerignore has ! exceptions (never wrongly reuses)', async () => {
    fs.writeFileSync(path.join(dir, '.dockerignore'), 'logs\n!logs/keep.log\n');
    fs.mkdirSync(path.join(dir, 'logs'));
    fs.writeFileSync(path.join(dir, 'logs', 'keep.log'), '1');
    const h0 = await contentHash(input());
    fs.writeFileSync(path.join(dir, 'logs', 'keep.log'), '2');
    assert.notEqual(await contentHash(input()), h0);
  });
});
