import { strict as assert } from 'assert';
import { mdCell, mdTable, textTable, formatDuration } from '../../../shared/report/markdown';
import { junitXml, xmlEscape } from '../../../shared/report/junit';

describe('report', () => {
  it('markdown tables escape pipes and newlines', () => {
    assert.equal(mdCell('a|b\nc'), 'a\\|b c');
    assert.equal(mdTable(['A', 'B'], [['x|y', 1]]), '| A | B |\n| --- | --- |\n| x\\|y | 1 |');
  });

  it('text tables align columns', () => {
    assert.equal(textTable(['Stage', 'Result'], [['Deploy_dev', 'succeeded'], ['qa', 'skipped']]),
      'Stage       Result\n----------  ---------\nDeploy_dev  succeeded\nqa          skipped');
  });

  it('formats durations', () => {
    assert.equal(formatDuration(12), '12 ms');
    assert.equal(formatDuration(1500), '1.5 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
  });

  it('writes JUnit that counts failures and escapes reported text', () => {
    const xml = junitXml([{ name: 'smoke <dev>', cases: [
      { classname: 'dev-1', name: 'connected', timeSeconds: 0.5 },
      { classname: 'dev-2', name: 'modules running', failure: { message: 'FilterModule "backoff" & exit 1', details: 'restartCount 5' } },
      { classname: 'dev-3', name: 'connected', skipped: 'offline excluded' },
    ] }]);
    assert.match(xml, /<testsuites tests="3" failures="1" skipped="1">/);
    assert.match(xml, /<testsuite name="smoke &lt;dev&gt;" tests="3" failures="1" errors="0" skipped="1" time="0.500">/);
    assert.match(xml, /<failure message="FilterModule &quot;backoff&quot; &amp; exit 1">restartCount 5<\/failure>/);
    assert.match(xml, /<testcase classname="dev-1" name="connected" time="0.500"\/>/);
    assert.equal(xmlEscape('a\u0001b'), 'ab');
  });
});
