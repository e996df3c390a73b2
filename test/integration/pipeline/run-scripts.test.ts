import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../../../shared/core/errors';
import { runPipeline, RunPipelineOptions } from '../../../cli/pipeline/runner';
import { results, tempRepo } from './support';

const PIPELINE = `
name: ci-$(Date:yyyyMMdd)$(Rev:.r)
parameters:
- name: greeting
  default: hello
variables:
  app: demo
  msg: \${{ parameters.greeting }}-$(app)
stages:
- stage: Build
  jobs:
  - job: Compile
    steps:
    - checkout: self
    - script: |
        echo "msg=$(msg) id=$(Build.BuildId) branch=$(Build.SourceBranchName)"
        echo "##vso[task.setvariable variable=version;isOutput=true]1.2.3"
        echo "##vso[task.setvariable variable=plain]p1"
      name: setver
    - bash: echo "plain=$(plain) out=$(setver.version) env=$SETVER_VERSION"
    - script: mkdir -p out && echo hi > out/a.txt && echo "<testsuite><testcase name='t1'/><testcase name='t2'><failure/></testcase></testsuite>" > out/TEST-x.xml
    - task: PublishTestResults@2
      inputs: { testResultsFiles: 'out/TEST-*.xml', testRunTitle: unit }
    - publish: out
      artifact: drop
  - job: Consume
    dependsOn: Compile
    variables:
      v: $[ dependencies.Compile.outputs['setver.version'] ]
    steps:
    - script: echo "v=$(v)"
- stage: Deploy
  dependsOn: Build
  condition: and(succeeded(), eq(dependencies.Build.outputs['Compile.setver.version'], '1.2.3'))
  variables:
    sv: $[ stageDependencies.Build.Compile.outputs['setver.version'] ]
  jobs:
  - deployment: Web
    environment: dev
    strategy:
      runOnce:
        deploy:
          steps:
          - script: test -f $(Pipeline.Workspace)/drop/a.txt && echo "sv=$(sv) env=$(Environment.Name)"
          - script: echo "##vso[task.setvariable variable=url;isOutput=true]http://dev"
            name: out
  - job: After
    dependsOn: Web
    variables:
      u: $[ dependencies.Web.outputs['Web.out.url'] ]
    steps:
    - script: echo "u=$(u)"
    - script: exit 3
      continueOnError: true
    - script: echo "after-continue"
- stage: Fails
  dependsOn: []
  jobs:
  - job: F
    steps:
    - script: |
        false
        echo "bash -e stops before this"
    - script: echo never
    - script: echo "cleanup"
      condition: always()
- stage: OnFail
  dependsOn: Fails
  condition: failed()
  jobs:
  - job: R
    steps:
    - script: echo recovered
- stage: Skipped
  dependsOn: Fails
  jobs:
  - job: S
    steps:
    - script: echo nope
`;

describe('pipeline run: multi-stage script pipeline (integration)', function () {
  this.timeout(60_000);
  let repo: string;
  let lines: string[];
  const opts = (extra: Partial<RunPipelineOptions> = {}): RunPipelineOptions => ({
    file: path.join(repo, 'azure-pipelines.yml'), approve: true, print: (l) => lines.push(l), ...extra,
  });
  beforeEach(() => { lines = []; });
  before(() => { repo = tempRepo({ 'azure-pipelines.yml': PIPELINE }); });

  it('runs stages/jobs/steps in dependency order with conditions and output variables', async () => {
    const r = await runPipeline(opts());
    const res = results(r.timeline);
    assert.strictEqual(r.exitCode, 1, 'a failed stage fails the run');
    assert.strictEqual(r.result, 'Failed');
    assert.strictEqual(res['Build'], 'Succeeded');
    assert.strictEqual(res['Deploy'], 'SucceededWithIssues');
    assert.strictEqual(res['Deploy/After/CmdLine: exit 3'], 'SucceededWithIssues');
    assert.strictEqual(res['Deploy/After/CmdLine: echo "after-continue"'], 'Succeeded');
    assert.strictEqual(res['Fails/F'], 'Failed');
    assert.strictEqual(res['Fails/F/CmdLine: echo never'], 'Skipped');
    assert.strictEqual(res['Fails/F/CmdLine: echo "cleanup"'], 'Succeeded');
    assert.strictEqual(res['OnFail'], 'Succeeded', 'failed() runs the recovery stage');
    assert.strictEqual(res['Skipped'], 'Skipped', 'default succeeded() skips after a failure');
    const out = lines.join('\n');
    assert.match(out, /msg=hello-demo id=1 branch=main/);
    assert.match(out, /plain=p1 out=1\.2\.3 env=1\.2\.3/);
    assert.match(out, /^v=1\.2\.3$/m, 'job output via dependencies');
    assert.match(out, /sv=1\.2\.3 env=dev/, 'stage output via stageDependencies, deployment download');
    assert.match(out, /^u=http:\/\/dev$/m, 'deployment job output form <job>.<step>.<var>');
    assert.doesNotMatch(out, /^bash -e stops before this$/m);
    assert.match(out, /Tests 'unit'.*1\/2 passed, 1 failed/);
    // Order: Fails (dependsOn: []) still runs after Deploy, in YAML order among ready stages.
    assert.ok(out.indexOf('Stage: Deploy') < out.indexOf('Stage: Fails'));
    // Run history.
    assert.strictEqual(r.runNumber, 1);
    const runJson = JSON.parse(fs.readFileSync(path.join(r.runFolder, 'run.json'), 'utf8'));
    assert.strictEqual(runJson.result, 'Failed');
    assert.match(runJson.buildNumber, /^ci-\d{8}\.1$/);
    assert.strictEqual(runJson.tests[0].failed, 1);
    assert.ok(fs.existsSync(path.join(r.runFolder, 'artifacts', 'drop', 'a.txt')));
    assert.ok(fs.readdirSync(path.join(r.runFolder, 'test-results')).length === 1);
    assert.ok(fs.existsSync(path.join(r.runFolder, 'logs', 'Build', 'Compile')));
    assert.match(fs.readFileSync(path.join(r.runFolder, 'log.txt'), 'utf8'), /Stage \/ Job \/ Step/);
  });

  it('runs only the selected stage with --stage; the next run gets the next number', async () => {
    const r = await runPipeline(opts({ stages: ['fails'] }));
    const res = results(r.timeline);
    assert.strictEqual(r.runNumber, 2);
    assert.strictEqual(res['Build'], 'Skipped');
    assert.strictEqual(r.timeline[0].note, 'not selected');
    assert.strictEqual(res['Fails'], 'Failed');
    assert.strictEqual(r.exitCode, 1);
    await assert.rejects(runPipeline(opts({ stages: ['Nope'] })), /--stage Nope: no such stage/);
  });

  it('masks secrets in the live log and files, and keeps them out of script files', async () => {
    const dir = tempRepo({
      'azure-pipelines.yml': `
steps:
- script: |
    echo "macro=$(pw)"
    echo "env=$MAPPED"
    cp "$0" "$(Build.ArtifactStagingDirectory)/../../script-copy.sh"
    T=t0ken; S=other
    echo "##vso[task.setvariable variable=tok;issecret=true]\${T}-value"
    echo "##vso[task.setsecret]\${S}-secret-1"
  env: { MAPPED: $(pw) }
- script: S=other; echo "later tok=$(tok) again \${S}-secret-1"
`,
    });
    lines = [];
    const r = await runPipeline({ file: path.join(dir, 'azure-pipelines.yml'), secrets: { pw: 'hunter2-secret' }, print: (l) => lines.push(l) });
    assert.strictEqual(r.exitCode, 0);
    const out = lines.join('\n');
    assert.match(out, /macro=\*\*\*/);
    assert.match(out, /env=\*\*\*/);
    assert.match(out, /later tok=\*\*\* again \*\*\*/);
    const all = [out, fs.readFileSync(path.join(r.runFolder, 'log.txt'), 'utf8'), fs.readFileSync(path.join(r.runFolder, 'script-copy.sh'), 'utf8')].join('\n');
    for (const s of ['hunter2-secret', 't0ken-value', 'other-secret-1']) assert.ok(!all.includes(s), `${s} leaked`);
    assert.match(fs.readFileSync(path.join(r.runFolder, 'script-copy.sh'), 'utf8'), /\$\{EDGEOPS_SECRET_PW\}/);
  });

  it('asks for environment approval; refuses without a terminal; a "no" fails the job', async () => {
    const before = fs.readdirSync(path.join(repo, '.edgeops', 'runs')).length;
    await assert.rejects(runPipeline(opts({ approve: false, interactive: false, stages: ['Deploy'] })), (e: Error) => e instanceof InputError && /need approval.*--approve/s.test(e.message + (e as InputError).hint));
    assert.strictEqual(fs.readdirSync(path.join(repo, '.edgeops', 'runs')).length, before, 'no run folder for a run that never started');
    const asked: string[] = [];
    const r = await runPipeline(opts({ approve: false, interactive: true, stages: ['Build', 'Deploy'], ask: async (q) => { asked.push(q); return 'n'; } }));
    assert.strictEqual(asked.length, 1);
    assert.match(asked[0], /environment 'dev'/);
    assert.strictEqual(results(r.timeline)['Deploy/Web'], 'Failed');
    assert.strictEqual(r.timeline.find((t) => t.name === 'Deploy')?.children[0].note, 'approval rejected');
    assert.strictEqual(r.exitCode, 1);
  });

  it('stops a step at its timeout (whole process tree) and --var wins over YAML, also in ${{ variables }}', async () => {
    const dir = tempRepo({
      'azure-pipelines.yml': 'variables:\n  mode: yaml\nsteps:\n- script: echo "compile=${{ variables.mode }} runtime=$(mode)"\n'
        + '- script: sleep 20\n  timeoutInMinutes: 0.02\n- script: echo after-timeout\n  condition: always()\n',
    });
    lines = [];
    const started = Date.now();
    const r = await runPipeline({ file: path.join(dir, 'azure-pipelines.yml'), variables: { mode: 'cli' }, print: (l) => lines.push(l) });
    assert.ok(Date.now() - started < 10_000, 'the sleeping child was killed');
    const res = results(r.timeline);
    assert.strictEqual(res['(pipeline)/Job/CmdLine: sleep 20'], 'Failed');
    assert.match(lines.join('\n'), /The step timed out/);
    assert.match(lines.join('\n'), /^compile=cli runtime=cli$/m);
    assert.match(lines.join('\n'), /^after-timeout$/m);
  });

  it('fails up front on unsupported YAML, naming the path and line, without starting a run', async () => {
    const dir = tempRepo({ 'azure-pipelines.yml': 'jobs:\n- job: A\n  pool:\n    vmImage: ubuntu-latest\n    demands: [ docker ]\n  steps:\n  - script: echo\n' });
    await assert.rejects(runPipeline({ file: path.join(dir, 'azure-pipelines.yml'), print: () => {} }),
      (e: InputError) => /Pool demands/.test(e.message) && e.location?.line === 5 && e.location?.field === 'jobs[0].pool.demands');
    assert.ok(!fs.existsSync(path.join(dir, '.edgeops', 'runs', '1')));
  });
});
