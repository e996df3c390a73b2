import * as assert from 'assert';
import { envName, runtimeExpression, VariableStore } from '../../../cli/pipeline/variables';

describe('pipeline variables', () => {
  it('expands $(macros), nested references, and leaves unknown ones as written', () => {
    const v = new VariableStore();
    v.set('app', 'demo');
    v.set('tag', '$(app)-$(Build.BuildId)');
    v.set('Build.BuildId', '7');
    assert.strictEqual(v.expand('img:$(tag) $(unknown.var) $(APP)'), 'img:demo-7 $(unknown.var) demo');
  });

  it('scopes: a child store inherits but does not leak back', () => {
    const pipeline = new VariableStore();
    pipeline.set('x', 'pipeline');
    const stage = pipeline.clone();
    stage.set('x', 'stage');
    const job = stage.clone();
    job.set('y', 'job');
    assert.strictEqual(pipeline.value('x'), 'pipeline');
    assert.strictEqual(stage.value('x'), 'stage');
    assert.strictEqual(job.value('x'), 'stage');
    assert.strictEqual(stage.value('y'), undefined);
  });

  it('keeps read-only variables and once-secret-always-secret', () => {
    const v = new VariableStore();
    v.set('ro', 'a', { readonly: true });
    assert.strictEqual(v.set('ro', 'b'), false);
    assert.strictEqual(v.value('ro'), 'a');
    v.set('pw', 'hunter22', { secret: true });
    v.set('pw', 'other22');
    assert.strictEqual(v.get('pw')?.secret, true);
  });

  it('maps to the agent environment: public as NAME_WITH_UNDERSCORES, secrets only as SECRET_', () => {
    const v = new VariableStore();
    v.set('Build.BuildId', '12');
    v.set('my var', 'x');
    v.set('pw', 'hunter22', { secret: true });
    const task = v.toEnv({ includeSecretsAsSecretEnv: true });
    assert.strictEqual(task.BUILD_BUILDID, '12');
    assert.strictEqual(task.MY_VAR, 'x');
    assert.strictEqual(task.PW, undefined);
    assert.strictEqual(task.SECRET_PW, 'hunter22');
    assert.deepStrictEqual(JSON.parse(task.VSTS_SECRET_VARIABLES as string), ['pw']);
    const script = v.toEnv({ includeSecretsAsSecretEnv: false });
    assert.strictEqual(script.SECRET_PW, undefined);
    assert.strictEqual(script.PW, undefined);
    assert.strictEqual(envName('System.DefaultWorkingDirectory'), 'SYSTEM_DEFAULTWORKINGDIRECTORY');
  });

  it('lets callers keep secret values out of script files', () => {
    const v = new VariableStore();
    v.set('pw', 'hunter22', { secret: true });
    assert.strictEqual(v.expand('login -p $(pw)', { secretRef: () => '${X}' }), 'login -p ${X}');
    assert.strictEqual(v.expand('login -p $(pw)'), 'login -p hunter22');
  });

  it('recognises runtime expressions', () => {
    assert.strictEqual(runtimeExpression("$[ dependencies.A.outputs['s.v'] ]"), " dependencies.A.outputs['s.v'] ");
    assert.strictEqual(runtimeExpression('plain $[x]'), undefined);
  });
});
