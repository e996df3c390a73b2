import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { repoRoot, tempRepo } from './support';

/** `edgeops pipeline run` as a user runs it: exit codes and messages, stdin not a terminal. */
describe('edgeops pipeline run (CLI, integration)', function () {
  this.timeout(60_000);
  const edgeops = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'edgeops.js'), ...args], { cwd, encoding: 'utf8', input: '', env: { ...process.env, ...env } });

  it('exits 0 for a passing run and 1 for a failing one, with --var and --secret', () => {
    const repo = tempRepo({
      'azure-pipelines.yml': 'variables:\n  who: yaml\nsteps:\n- script: echo "who=$(who) pw=$(pw)"\n- script: test "$(fail)" != yes\n',
    });
    const ok = edgeops(['pipeline', 'run', '--var', 'who=cli', '--secret', 'pw=CLI_TEST_PW', '--var', 'fail=no'], repo, { CLI_TEST_PW: 'topsecret99' });
    assert.strictEqual(ok.status, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /who=cli pw=\*\*\*/);
    assert.ok(!ok.stdout.includes('topsecret99'));
    assert.match(ok.stdout, /Run 1: Succeeded/);
    const bad = edgeops(['pipeline', 'run', 'azure-pipelines.yml', '--var', 'fail=yes'], repo);
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stdout, /Run 2: Failed/);
  });

  it('refuses deployments to environments without a terminal or --approve, before running', () => {
    const repo = tempRepo({
      'azure-pipelines.yml': 'jobs:\n- deployment: D\n  environment: prod\n  strategy:\n    runOnce:\n      deploy:\n        steps:\n        - script: echo deployed\n',
    });
    const r = edgeops(['pipeline', 'run'], repo);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /environment\(s\) 'prod'.*no terminal/);
    assert.match(r.stderr, /--approve/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const ok = edgeops(['pipeline', 'run', '--approve'], repo);
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^deployed$/m);
  });

  it('validate reports unsupported features with file:line:column and the YAML path', () => {
    const repo = tempRepo({ 'azure-pipelines.yml': 'jobs:\n- job: A\n  strategy:\n    matrix:\n      a: { x: 1 }\n  steps:\n  - script: echo\n' });
    const r = edgeops(['pipeline', 'validate'], repo);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /azure-pipelines\.yml:3:3 \(jobs\[0\]\.strategy\): A matrix\/parallel strategy \(strategy:\) is not supported by the local runner/);
  });
});
