import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSolutionEnv, parseDotenv, resolveDotenv, parseBypassModules, isBypassed } from '../../../shared/modules';

const parse = (text: string, env: NodeJS.ProcessEnv = {}) => resolveDotenv(parseDotenv(text), env);

describe('modules/.env (python-dotenv rules)', () => {
  it('skips comments and blank lines, strips export and inline comments on unquoted values', () => {
    assert.deepEqual(parse('# c\n\nA=1\nexport B=two # note\nC = spaced  \n'), { A: '1', B: 'two', C: 'spaced' });
  });
  it('keeps # inside a value when not preceded by whitespace', () => {
    assert.deepEqual(parse('A=abc#def\n'), { A: 'abc#def' });
  });
  it('single quotes are literal; double quotes decode escapes and span lines', () => {
    const v = parse("S='a\\nb ${X}'\nD=\"l1\\nl2 \\\"q\\\"\"\nM=\"x\ny\"\n", { X: 'x' });
    assert.equal(v.S, 'a\\nb ${X}');
    assert.equal(v.D, 'l1\nl2 "q"');
    assert.equal(v.M, 'x\ny');
  });
  it('ignores a comment after a closing quote and keeps # inside quotes', () => {
    assert.deepEqual(parse('A="x # y" # comment\n'), { A: 'x # y' });
  });
  it('interpolates ${VAR} and ${VAR:-default}, process env first, never bare $VAR', () => {
    const v = parse('BASE=file\nA=${BASE}/x\nB=${MISSING:-dflt}\nC=$BASE\nD=${BASE}\n', { BASE: 'proc' });
    assert.equal(v.A, 'proc/x');
    assert.equal(v.B, 'dflt');
    assert.equal(v.C, '$BASE');
    assert.equal(v.D, 'proc');
  });
  it('a bare KEY without = sets nothing; empty value is empty', () => {
    assert.deepEqual(parse('KEY\nE=\n'), { E: '' });
  });
  it('reports an unterminated quote with line', () => {
    assert.throws(() => parseDotenv('A=1\nB="open\n', '/x/.env'), (e: Error & { location?: { line?: number } }) => e.location?.line === 2);
  });
  it('process environment wins over .env; .env beside the template; explicit missing file is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-env-'));
    try {
      fs.writeFileSync(path.join(dir, '.env'), 'A=file\nB=file\n');
      const e = loadSolutionEnv({ templateDir: dir, env: { A: 'proc' } });
      assert.equal(e.vars.A, 'proc');
      assert.equal(e.vars.B, 'file');
      assert.equal(e.envFile, path.join(dir, '.env'));
      fs.writeFileSync(path.join(dir, 'other.env'), 'B=other\n');
      assert.equal(loadSolutionEnv({ templateDir: dir, env: { DOTENV_FILE: 'other.env' } }).vars.B, 'other');
      assert.throws(() => loadSolutionEnv({ templateDir: dir, env: {}, envFile: path.join(dir, 'nope.env') }), /not found/);
      assert.equal(loadSolutionEnv({ templateDir: path.join(dir, 'none'), env: {} }).envFile, undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('BYPASS_MODULES: comma list or *', () => {
    assert.deepEqual(parseBypassModules(' a, b ,,'), ['a', 'b']);
    assert.ok(isBypassed('x', ['*']));
    assert.ok(isBypassed('a', ['a', 'b']));
    assert.ok(!isBypassed('c', ['a']));
    assert.ok(!isBypassed('a', []));
  });
});
