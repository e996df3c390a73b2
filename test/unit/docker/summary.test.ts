import { strict as assert } from 'assert';
import { buildSummaryMarkdown } from '../../../shared/docker/summary';

describe('docker/summary', () => {
  it('one row per image and failure; a pipe or newline in an error cannot break the table', () => {
    const md = buildSummaryMarkdown({
      version: 1, builder: 'buildkit',
      images: [{ module: 'm', platform: 'amd64', tag: 'r/m:1-amd64', imageId: 'sha256:1', contentHash: 'sha256:2', status: 'reused', reusedFrom: 'local', durationMs: 1500 }],
      failed: [{ module: 'n', platform: 'arm32v7', tag: 'r/n:1-arm32v7', error: 'exit 1 | step\nRUN false' }],
    });
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 4); // header, rule, image, failure
    assert.match(rows[2], /^\| m \| amd64 \| `r\/m:1-amd64` \| reused \(local\) \| 1\.5 s \|$/);
    assert.equal(rows[3].split(/(?<!\\)\|/).length - 2, 5, 'the failure row keeps five cells');
    assert.match(rows[3], /exit 1 \\\| step RUN false/);
  });
});
