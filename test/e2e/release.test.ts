import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageExtension } from '../../scripts/package';
import { runDemo } from '../../scripts/demo/main';
import { requireDocker } from '../support/docker';

interface Report {
  passed: boolean;
  runs: { result: string; stages: { name: string; result: string }[] }[];
  environments: { env: string; devices: number; deploymentAfterGoodRelease: string; deploymentAfterBrokenRelease: string }[];
  checks: { release: string; name: string; ok: boolean; detail?: string }[];
}

/**
 * The repo's real azure-pipelines.yml through `edgeops pipeline run`, on the IoT Hub emulator with virtual
 * devices, real Docker builds and a real registry: a good release reaches prod; a broken one is stopped at
 * dev by the smoke test and rolled back, qa/prod never deployed.
 */
describe('e2e: dev → qa → prod release on one machine', function () {
  this.timeout(1_200_000);
  let report: Report;
  let demoDir: string;

  before(async () => {
    requireDocker();
    await packageExtension({ vsix: false });
    demoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-e2e-'));
    const r = await runDemo({
      demoDir,
      quiet: true,
      smokeTimeoutSeconds: 60,
      fleet: [{ env: 'dev', mode: 'virtual', count: 2 }, { env: 'qa', mode: 'virtual', count: 2 }, { env: 'prod', mode: 'virtual', count: 3 }],
    });
    report = JSON.parse(fs.readFileSync(r.reportFile, 'utf8')) as Report;
    if (r.exitCode !== 0) {
      // Keep the logs of a failed run where the failure message points.
      console.log(`demo folder kept for inspection: ${demoDir}`);
    }
  });

  after(() => { if (report?.passed && demoDir) fs.rmSync(demoDir, { recursive: true, force: true }); });

  it('the good release passes Build, dev, qa and prod, and every device applied its stage deployment', () => {
    const good = report.runs[0];
    assert.equal(good.result, 'Succeeded');
    assert.deepEqual(good.stages.map((s) => [s.name, s.result]), [['Build', 'Succeeded'], ['Deploy_dev', 'Succeeded'], ['Deploy_qa', 'Succeeded'], ['Deploy_prod', 'Succeeded']]);
    for (const e of report.environments) assert.match(e.deploymentAfterGoodRelease, new RegExp(`^sample-1-deploy_${e.env}$`));
  });

  it('the broken release fails at dev, rolls back, and never deploys qa or prod', () => {
    const broken = report.runs[1];
    assert.equal(broken.result, 'Failed');
    assert.deepEqual(broken.stages.map((s) => [s.name, s.result]), [['Build', 'Succeeded'], ['Deploy_dev', 'Failed'], ['Deploy_qa', 'Skipped'], ['Deploy_prod', 'Skipped']]);
    for (const e of report.environments) assert.equal(e.deploymentAfterBrokenRelease, e.deploymentAfterGoodRelease, `${e.env} runs the good release`);
  });

  it('every verification check of the demo passed', () => {
    const failed = report.checks.filter((c) => !c.ok);
    assert.deepEqual(failed, []);
    assert.ok(report.passed);
  });
});
