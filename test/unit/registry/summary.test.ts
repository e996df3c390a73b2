import { strict as assert } from 'assert';
import { pushSummaryMarkdown } from '../../../shared/registry/summary';

describe('registry/summary', () => {
  it('lists pushed, present and failed images; error text is escaped into one cell', () => {
    const d = 'sha256:' + 'a'.repeat(64);
    const md = pushSummaryMarkdown({
      version: 1, registry: 'localhost:5000',
      images: [
        { module: 'm', platform: 'amd64', tag: 'localhost:5000/m:1-amd64', repository: 'localhost:5000/m', digest: d, pushed: true },
        { module: 'k', platform: 'amd64', tag: 'localhost:5000/k:1-amd64', repository: 'localhost:5000/k', digest: d, pushed: false },
      ],
      failed: [{ module: 'n', platform: 'amd64', tag: 'localhost:5000/n:1-amd64', error: 'denied | retry\nlater' }],
    });
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 5);
    assert.match(rows[2], /pushed \|$/);
    assert.match(rows[3], /already present \|$/);
    assert.equal(rows[4].split(/(?<!\\)\|/).length - 2, 5);
    assert.match(rows[4], /denied \\\| retry later/);
  });
});
