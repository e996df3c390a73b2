import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { copyInto, JobRuntime, safeName, StepOutcome, TestRunReport } from '../runtime';
import type { StepSession } from '../step-session';

/**
 * JUnit results, counted from the XML the way the test tab would: every <testcase> is one
 * test; a <failure> or <error> child fails it, <skipped> skips it. The files are copied
 * into the run's test-results folder.
 */

export interface JUnitCounts { total: number; passed: number; failed: number; skipped: number; failedTests: string[] }

const TESTCASE = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase\s*>)/g;

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(attrs);
  return m ? (m[2] ?? m[3]) : undefined;
}

export function countJUnit(xml: string): JUnitCounts {
  const out: JUnitCounts = { total: 0, passed: 0, failed: 0, skipped: 0, failedTests: [] };
  // Comments and CDATA can contain anything, including "<testcase": drop them first.
  const text = xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  for (const m of text.matchAll(TESTCASE)) {
    out.total++;
    const body = m[3] ?? '';
    if (/<(failure|error)\b/.test(body)) {
      out.failed++;
      const cls = attr(m[1], 'classname');
      const name = attr(m[1], 'name') ?? '?';
      out.failedTests.push(cls ? `${cls}.${name}` : name);
    } else if (/<skipped\b/.test(body)) {
      out.skipped++;
    } else {
      out.passed++;
    }
  }
  return out;
}

export function collectJUnit(files: string[], title: string, job: JobRuntime, session: StepSession): TestRunReport {
  const run = job.run;
  const dest = path.join(run.folder.testResults, safeName(`${job.stage.name}.${job.job.name}.${session.index + 1}`));
  const report: TestRunReport = { title, stage: job.stage.name, job: job.job.name, files: [], total: 0, passed: 0, failed: 0, skipped: 0, failedTests: [] };
  for (const f of files) {
    let xml: string;
    try {
      xml = fs.readFileSync(f, 'utf8');
    } catch {
      session.warn(`Test result file not readable: ${f}`);
      continue;
    }
    const c = countJUnit(xml);
    report.files.push(copyInto(f, dest));
    report.total += c.total;
    report.passed += c.passed;
    report.failed += c.failed;
    report.skipped += c.skipped;
    report.failedTests.push(...c.failedTests);
  }
  session.print(`Test results '${title}': ${report.total} total, ${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`);
  for (const t of report.failedTests.slice(0, 20)) session.print(`  failed: ${t}`);
  return report;
}

/** PublishTestResults@2. */
export async function publishTestResults(job: JobRuntime, inputs: Record<string, string>, session: StepSession): Promise<StepOutcome> {
  const format = (inputs.testresultsformat || 'JUnit').trim();
  if (format.toLowerCase() !== 'junit') {
    return { result: 'Failed', message: `testResultsFormat '${format}' is not supported by the local runner (JUnit only)` };
  }
  const cwd = job.vars.value('System.DefaultWorkingDirectory') ?? job.run.repoRoot;
  const folder = path.resolve(cwd, inputs.searchfolder || cwd);
  const patterns = (inputs.testresultsfiles || '**/TEST-*.xml').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
  const include = patterns.filter((p) => !p.startsWith('!'));
  const ignore = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = (await fg(include, { cwd: folder, ignore: ['**/node_modules/**', ...ignore], absolute: true, dot: false, onlyFiles: true })).sort();
  const truthy = (k: string) => (inputs[k] ?? '').toLowerCase() === 'true';
  if (files.length === 0) {
    const msg = `No test result files matched ${patterns.join(', ')} in ${folder}`;
    if (truthy('failtaskonmissingresultsfile')) return { result: 'Failed', message: msg };
    session.warn(msg);
    return { result: 'Succeeded' };
  }
  const report = collectJUnit(files, inputs.testruntitle || 'JUnit', job, session);
  job.run.testRuns.push(report);
  if (report.failed > 0 && truthy('failtaskonfailedtests')) return { result: 'Failed', message: `${report.failed} test(s) failed` };
  return { result: 'Succeeded' };
}
