import * as path from 'path';
import { writeFileAtomic } from '../core/atomic-write';
import { Logger } from '../core/logger';
import { runSmokeTest, SmokeOptions } from './run';
import { smokeJUnit, smokeMarkdown, SmokeReport } from './report';

export interface SmokeRunOptions extends SmokeOptions {
  junitPath: string;
  summaryDir: string;
}

export interface SmokeRun {
  report: SmokeReport;
  junitPath: string;
  markdownPath: string;
}

/** runSmokeTest plus its evidence: JUnit XML and the markdown summary, both written atomically. */
export async function runSmokeWithEvidence(o: SmokeRunOptions): Promise<SmokeRun> {
  const report = await runSmokeTest(o);
  const junitPath = path.resolve(o.junitPath);
  const markdownPath = path.resolve(o.summaryDir, `smoke-test-${report.deploymentId.replace(/[^A-Za-z0-9._-]/g, '_')}.md`);
  writeFileAtomic(junitPath, smokeJUnit(report));
  writeFileAtomic(markdownPath, smokeMarkdown(report));
  logFailures(o.logger, report);
  return { report, junitPath, markdownPath };
}

/** The failing devices in the log too (first 20), so the reason is visible without opening artifacts. */
function logFailures(log: Logger, r: SmokeReport): void {
  const bad = r.devices.filter((d) => d.state !== 'passed');
  for (const d of bad.slice(0, 20)) log.info(`  ${d.state === 'offline' ? 'OFFLINE' : 'FAILED '} ${d.deviceId}: ${d.reason ?? 'not all checks ran'}`);
  if (bad.length > 20) log.info(`  … and ${bad.length - 20} more (see the JUnit results)`);
}
