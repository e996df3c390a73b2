import { strict as assert } from 'assert';
import { summaryMarkdown } from '../../../shared/manifest';

describe('manifest/summary markdown', () => {
  it('one escaped row per module, warnings on one line each', () => {
    const md = summaryMarkdown({
      version: 1, generator: 'edgeops test', template: '/s/deployment.template.json', manifest: '/s/config/deployment.amd64.json',
      platform: 'amd64', layered: false, registries: [], warnings: ['first\nsecond'],
      modules: [{ name: 'a|b', kind: 'user', image: 'r/m@sha256:1', pinned: true, bypassed: false }],
    });
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    assert.equal(rows.length, 3);
    assert.match(rows[2], /^\| a\\\|b \| user \| `r\/m@sha256:1` \| yes \|$/);
    assert.ok(md.includes('- first second'));
  });
});
