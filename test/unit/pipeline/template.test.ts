import * as assert from 'assert';
import { InputError } from '../../../shared/core/errors';
import { load } from './helpers';

describe('pipeline templates and ${{ }} expressions', () => {
  it('substitutes parameters and variables, typed, with --param overrides', () => {
    const files = {
      'azure-pipelines.yml': `
parameters:
- name: env
  type: string
  default: dev
  values: [dev, prod]
- name: replicas
  type: number
  default: 1
- name: deploy
  type: boolean
  default: false
variables:
  region: westeurope
  full: \${{ parameters.env }}-\${{ variables.region }}
steps:
- script: echo \${{ parameters.env }} \${{ parameters.replicas }} \${{ variables['Build.SourceBranch'] }}
- \${{ if parameters.deploy }}:
  - script: echo deploying
- \${{ else }}:
  - script: echo not deploying
`,
    };
    const p1 = load(files, {}, { 'Build.SourceBranch': 'refs/heads/main' });
    const steps1 = p1.stages[0].jobs[0].steps;
    assert.deepStrictEqual(steps1.map((s) => (s.kind === 'script' ? s.script : '')), ['echo dev 1 refs/heads/main', 'echo not deploying']);
    assert.strictEqual(p1.variables.find((v) => v.name === 'full')?.value, 'dev-westeurope');
    const p2 = load(files, { env: 'prod', deploy: 'true', replicas: '3' });
    assert.deepStrictEqual(p2.stages[0].jobs[0].steps.map((s) => (s.kind === 'script' ? s.script : '')), ['echo prod 3 ', 'echo deploying']);
    assert.throws(() => load(files, { env: 'test' }), /must be one of: dev, prod/);
    assert.throws(() => load(files, { replicas: 'many' }), /must be a number/);
    assert.throws(() => load(files, { nope: '1' }), /Unexpected parameter 'nope'/);
  });

  it('includes local step/job/stage templates with parameters, relative to the including file', () => {
    const p = load({
      'azure-pipelines.yml': `
stages:
- template: templates/stage.yml
  parameters: { name: Build, image: edge }
`,
      'templates/stage.yml': `
parameters:
- name: name
- name: image
  default: x
stages:
- stage: \${{ parameters.name }}
  jobs:
  - template: job.yml
    parameters:
      tag: \${{ parameters.image }}:1
`,
      'templates/job.yml': `
parameters: { tag: '' , extra: [] }
jobs:
- job: J
  steps:
  - template: steps.yml
    parameters:
      tag: \${{ parameters.tag }}
`,
      'templates/steps.yml': `
parameters:
- name: tag
  type: string
steps:
- script: docker build -t \${{ parameters.tag }} .
  \${{ if startsWith(parameters.tag, 'edge') }}:
    displayName: edge image
`,
    });
    assert.strictEqual(p.stages[0].name, 'Build');
    const step = p.stages[0].jobs[0].steps[0];
    assert.ok(step.kind === 'script');
    assert.strictEqual(step.script, 'docker build -t edge:1 .');
    assert.strictEqual(step.displayName, 'edge image');
    assert.ok(step.loc.file?.endsWith('steps.yml'), 'locations point into the template file');
  });

  it('refuses templates from other repositories and missing parameters, naming where', () => {
    let e: InputError | undefined;
    try {
      load({ 'azure-pipelines.yml': 'steps:\n- template: steps.yml@templates\n' });
    } catch (x) { e = x as InputError; }
    assert.match(e?.message ?? '', /other repositories/);
    assert.strictEqual(e?.location?.line, 2);
    assert.throws(() => load({
      'azure-pipelines.yml': 'steps:\n- template: t.yml\n',
      't.yml': 'parameters:\n- name: must\nsteps:\n- script: x\n',
    }), /Parameter 'must' has no default/);
    assert.throws(() => load({ 'azure-pipelines.yml': 'steps:\n- ${{ each x in parameters.list }}:\n  - script: x\n' }), /each.*not supported/);
  });

  it('takes ${{ if }}/${{ else }} in variables, in mapping and list form', () => {
    const mapping = {
      'azure-pipelines.yml': `
parameters:
- name: broken
  type: boolean
  default: false
variables:
  a: one
  \${{ if eq(parameters.broken, true) }}:
    fault: crash
    after: '3'
  \${{ else }}:
    fault: ok
steps:
- script: echo $(fault)
`,
    };
    const value = (p: ReturnType<typeof load>, n: string) => p.variables.find((v) => v.name === n)?.value;
    assert.strictEqual(value(load(mapping), 'fault'), 'ok');
    assert.strictEqual(value(load(mapping), 'after'), undefined);
    assert.strictEqual(value(load(mapping, { broken: 'true' }), 'fault'), 'crash');
    assert.strictEqual(value(load(mapping, { broken: 'true' }), 'after'), '3');
    assert.strictEqual(value(load(mapping), 'a'), 'one');

    const list = {
      'azure-pipelines.yml': `
parameters:
- name: broken
  type: boolean
  default: false
variables:
- name: a
  value: one
- \${{ if eq(parameters.broken, true) }}:
  - name: fault
    value: crash
- \${{ else }}:
  - name: fault
    value: ok
steps:
- script: echo $(fault)
`,
    };
    assert.strictEqual(value(load(list), 'fault'), 'ok');
    assert.strictEqual(value(load(list, { broken: 'true' }), 'fault'), 'crash');
    const orphan = { 'azure-pipelines.yml': 'variables:\n  \${{ else }}:\n    x: 1\nsteps:\n- script: echo\n' };
    assert.throws(() => load(orphan), /\$\{\{ else \}\} without a preceding \$\{\{ if \}\}/);
  });
});
