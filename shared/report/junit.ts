/**
 * JUnit XML that Azure Pipelines' PublishTestResults (testResultsFormat: JUnit) reads:
 * testsuites > testsuite(name, tests, failures, skipped, time) > testcase(classname, name, time) > failure|skipped.
 */
export interface JUnitCase {
  /** Shown as the test's group, e.g. the device id. */
  classname: string;
  /** e.g. "connected" */
  name: string;
  timeSeconds?: number;
  failure?: { message: string; details?: string };
  skipped?: string;
}

export interface JUnitSuite {
  name: string;
  timestamp?: string;
  cases: JUnitCase[];
  properties?: Record<string, string>;
}

export function xmlEscape(s: string): string {
  // Drop characters XML 1.0 cannot carry at all, then escape markup.
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function junitXml(suites: JUnitSuite[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = suites.flatMap((s) => s.cases);
  out.push(`<testsuites tests="${all.length}" failures="${all.filter((c) => c.failure).length}" skipped="${all.filter((c) => c.skipped !== undefined && !c.failure).length}">`);
  for (const s of suites) {
    const failures = s.cases.filter((c) => c.failure).length;
    const skipped = s.cases.filter((c) => c.skipped !== undefined && !c.failure).length;
    const time = s.cases.reduce((t, c) => t + (c.timeSeconds ?? 0), 0);
    out.push(`  <testsuite name="${xmlEscape(s.name)}" tests="${s.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time.toFixed(3)}"${s.timestamp ? ` timestamp="${xmlEscape(s.timestamp)}"` : ''}>`);
    if (s.properties && Object.keys(s.properties).length) {
      out.push('    <properties>');
      for (const [k, v] of Object.entries(s.properties)) out.push(`      <property name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`);
      out.push('    </properties>');
    }
    for (const c of s.cases) {
      const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${(c.timeSeconds ?? 0).toFixed(3)}"`;
      if (c.failure) {
        out.push(`${open}>`, `      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.details ?? c.failure.message)}</failure>`, '    </testcase>');
      } else if (c.skipped !== undefined) {
        out.push(`${open}>`, `      <skipped message="${xmlEscape(c.skipped)}"/>`, '    </testcase>');
      } else {
        out.push(`${open}/>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
