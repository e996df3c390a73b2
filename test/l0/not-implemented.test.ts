import { strict as assert } from 'assert';
import { runL0 } from '../support/l0';

/**
 * Tasks whose issue has not landed must fail clearly — never a fake success.
 * When a task ships, remove it from this list and give it its own L0 file.
 */
const PENDING: { task: string; inputs: Record<string, string> }[] = [
];

describe('L0: tasks not implemented yet', function () {
  this.timeout(60_000);
  for (const { task, inputs } of PENDING) {
    it(`${task} fails with "not implemented in this version"`, async () => {
      const tr = await runL0({ task, inputs });
      assert.ok(tr.failed, 'task failed');
      assert.ok(tr.stdOutContained('is not implemented in this version of EdgeOps'), tr.stdout);
      assert.ok(!/\n\s+at .+:\d+:\d+\)/.test(tr.stdout), 'no stack trace');
    });
    it(`${task} names a missing required input`, async () => {
      const tr = await runL0({ task, inputs: {} });
      assert.ok(tr.failed);
      assert.ok(/Input required: \w+/.test(tr.stdout), tr.stdout);
    });
  }
});
