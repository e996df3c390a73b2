import { strict as assert } from 'assert';
import * as path from 'path';
import { execFile } from 'child_process';

const bin = path.resolve(__dirname, '..', '..', '..', '..', 'bin', 'edgeops.js');
const pkg = require(path.resolve(__dirname, '..', '..', '..', '..', 'package.json')) as { version: string };

function edgeops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('cli: edgeops', () => {
  it('--version prints the package version', async () => {
    const r = await edgeops(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('--help lists usage and exits 0', async () => {
    const r = await edgeops(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: edgeops <command>/);
  });

  it('an unknown command exits 2 with a hint, no stack trace', async () => {
    const r = await edgeops(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'.*edgeops --help/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
