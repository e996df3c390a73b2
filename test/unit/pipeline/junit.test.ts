import * as assert from 'assert';
import { countJUnit } from '../../../cli/pipeline/steps/test-results';

describe('pipeline JUnit counting', () => {
  it('counts passed, failed (failure or error), skipped and names the failures', () => {
    const xml = `<?xml version="1.0"?>
<testsuites>
  <testsuite name="s" tests="5">
    <testcase classname="a.B" name="ok1" time="0.1"/>
    <testcase classname="a.B" name="ok2"></testcase>
    <testcase classname="a.B" name="bad"><failure message="x">trace</failure></testcase>
    <testcase name='err'><error/></testcase>
    <testcase name="skip"><skipped/></testcase>
    <!-- <testcase name="commented"/> -->
    <system-out><![CDATA[<testcase name="in-cdata"/>]]></system-out>
  </testsuite>
</testsuites>`;
    const c = countJUnit(xml);
    assert.deepStrictEqual(c, { total: 5, passed: 2, failed: 2, skipped: 1, failedTests: ['a.B.bad', 'err'] });
  });
});
