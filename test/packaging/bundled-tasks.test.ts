import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { packageExtension, taskNames } from '../../scripts/package';

const root = path.resolve(__dirname, '..', '..', '..');

/** Environment without any INPUT_* / ENDPOINT_* so every task meets its first required input missing. */
function cleanEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(INPUT|ENDPOINT|SECRET)_/i.test(k)) env[k] = v;
  env.AGENT_TEMPDIRECTORY = tmp;
  return env;
}

describe('packaging: bundled tasks run with plain node', function () {
  this.timeout(120_000);
  let tmp: string;
  before(async () => {
    await packageExtension({ vsix: false });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bundle-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const task of taskNames()) {
    it(`${task}: no inputs → clean failure naming the missing required input`, async () => {
      const dir = path.join(root, 'dist', 'stage', 'tasks', task);
      const tj = JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8')) as { inputs: { name: string; required?: boolean }[] };
      const required = new Set(tj.inputs.filter((i) => i.required).map((i) => i.name));
      const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
        execFile(process.execPath, [path.join(dir, 'index.js')], { cwd: tmp, env: cleanEnv(tmp) }, (err, stdout, stderr) => {
          resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, out: stdout + stderr });
        });
      });
      assert.notEqual(code, 0, 'exits non-zero');
      const m = /##vso\[task\.complete result=Failed;\]Input required: (\w+)/.exec(out);
      assert.ok(m, `expected a Failed result naming an input, got:\n${out}`);
      assert.ok(required.has(m[1]), `${m[1]} is a required input of ${task}`);
      assert.doesNotMatch(out, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
    });
  }
});
