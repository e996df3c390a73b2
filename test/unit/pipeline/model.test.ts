import * as assert from 'assert';
import { AggregateInputError, InputError } from '../../../shared/core/errors';
import { load } from './helpers';

const y = (s: string) => ({ 'azure-pipelines.yml': s });

function errorOf(fn: () => unknown): InputError {
  try { fn(); } catch (e) { if (e instanceof InputError || e instanceof AggregateInputError) return e as InputError; throw e; }
  throw new Error('expected an error');
}

describe('pipeline YAML model', () => {
  it('builds stages, jobs, deployment jobs and steps with their settings', () => {
    const p = load(y(`
variables:
  a: 1
  b: true
stages:
- stage: Build
  variables:
  - name: c
    value: x
    readonly: true
  jobs:
  - job: J1
    timeoutInMinutes: 5
    steps:
    - checkout: self
    - script: echo hi
      name: s1
      displayName: Say hi
      condition: always()
      continueOnError: true
      env: { A: $(a) }
      workingDirectory: sub
    - task: IoTEdgeDeploy@0
      inputs: { deploymentFilePath: x.json, priority: 5 }
    - publish: out
      artifact: drop
- stage: Deploy
  dependsOn: Build
  jobs:
  - deployment: D
    environment: dev.vm1
    strategy:
      runOnce:
        preDeploy: { steps: [ { script: echo pre } ] }
        deploy: { steps: [ { download: current, artifact: drop } ] }
        on:
          failure: { steps: [ { script: echo rollback } ] }
`));
    assert.deepStrictEqual(p.variables.map((v) => [v.name, v.value]), [['a', '1'], ['b', 'True']]);
    const [build, deploy] = p.stages;
    assert.strictEqual(build.variables[0].readonly, true);
    const job = build.jobs[0];
    assert.strictEqual(job.timeoutMinutes, 5);
    assert.deepStrictEqual(job.steps.map((s) => s.kind), ['checkout', 'script', 'task', 'publish']);
    const s1 = job.steps[1];
    assert.strictEqual(s1.name, 's1');
    assert.strictEqual(s1.displayName, 'Say hi');
    assert.strictEqual(s1.condition, 'always()');
    assert.strictEqual(s1.continueOnError, true);
    assert.deepStrictEqual(s1.env, { A: '$(a)' });
    const t = job.steps[2];
    assert.ok(t.kind === 'task' && t.task === 'IoTEdgeDeploy' && t.major === 0 && t.inputs.priority === '5');
    assert.deepStrictEqual(deploy.dependsOn, ['Build']);
    const d = deploy.jobs[0];
    assert.strictEqual(d.deployment?.environment, 'dev');
    assert.strictEqual(d.deployment?.resourceName, 'vm1');
    assert.deepStrictEqual(d.steps.map((s) => s.hook), ['preDeploy', 'deploy']);
    assert.strictEqual(d.deployment?.onFailure.length, 1);
  });

  it('wraps top-level jobs: and steps: in an implicit stage and job', () => {
    const p = load(y('steps:\n- bash: echo 1\n'));
    assert.strictEqual(p.stages[0].name, '__default');
    assert.strictEqual(p.stages[0].jobs[0].name, 'Job');
    assert.strictEqual(p.stages[0].jobs[0].steps[0].kind, 'script');
  });

  const unsupported: [string, string, RegExp, number][] = [
    ['matrix', 'jobs:\n- job: A\n  strategy:\n    matrix: { a: { x: 1 } }\n  steps: [ { script: x } ]\n', /jobs\[0\]\.strategy.*matrix\/parallel/, 3],
    ['container job', 'jobs:\n- job: A\n  container: ubuntu\n  steps: [ { script: x } ]\n', /jobs\[0\]\.container.*container job/i, 3],
    ['pool demands', 'pool:\n  name: P\n  demands: [ docker ]\nsteps: [ { script: x } ]\n', /pool\.demands/, 3],
    ['variable group', 'variables:\n- group: secrets\nsteps: [ { script: x } ]\n', /variables\[0\].*Variable groups/, 2],
    ['pwsh step', 'steps:\n- pwsh: Write-Host hi\n', /steps\[0\]\.pwsh.*PowerShell/, 2],
    ['resources.pipelines', 'resources:\n  pipelines: [ { pipeline: x, source: y } ]\nsteps: [ { script: x } ]\n', /resources\.pipelines/, 2],
    ['extends', 'extends:\n  template: x.yml\n', /extends/, 1],
    ['rolling strategy', 'jobs:\n- deployment: D\n  environment: e\n  strategy:\n    rolling: { maxParallel: 2 }\n', /rolling deployment strategy/, 5],
  ];
  for (const [what, text, re, line] of unsupported) {
    it(`fails up front on ${what}, naming the YAML path and line`, () => {
      const e = errorOf(() => load(y(text)));
      assert.match(`${e.location?.field} ${e.message}`, re);
      assert.match(e.message, /not supported by the local runner/);
      assert.strictEqual(e.location?.line, line);
      assert.ok(e.location?.file?.endsWith('azure-pipelines.yml'));
    });
  }

  it('reports every problem at once, with locations', () => {
    const e = errorOf(() => load(y(`
stages:
- stage: A
  jobs:
  - job: J
    stepz: []
- stage: A
  dependsOn: Nope
  jobs: []
`)));
    assert.ok(e instanceof AggregateInputError);
    assert.match(e.message, /Unexpected key 'stepz'/);
    assert.match(e.message, /Duplicate stage name 'A'/);
    assert.match(e.message, /depends on unknown stage 'Nope'/);
    assert.match(e.message, /azure-pipelines\.yml:6:5/);
  });

  it('detects dependency cycles', () => {
    const e = errorOf(() => load(y('jobs:\n- job: A\n  dependsOn: B\n  steps: [ { script: x } ]\n- job: B\n  dependsOn: A\n  steps: [ { script: x } ]\n')));
    assert.match(e.message, /Dependency cycle/);
  });

  it('rejects invalid names and bad task references', () => {
    assert.match(errorOf(() => load(y('jobs:\n- job: my-job\n  steps: [ { script: x } ]\n'))).message, /not a valid name/);
    assert.match(errorOf(() => load(y('steps:\n- task: IoTEdgeDeploy\n'))).message, /not a task reference/);
  });

  it('reports YAML syntax errors with line and column', () => {
    const e = errorOf(() => load(y('steps:\n- script: "unterminated\n')));
    assert.match(e.message, /Invalid YAML/);
    assert.ok(e.location?.line && e.location.line >= 2);
  });
});
