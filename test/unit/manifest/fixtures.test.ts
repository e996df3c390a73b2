import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildManifest, generateManifest } from '../../../shared/manifest';
import { discoverModules } from '../../../shared/modules';
import { MemoryLogger } from '../../../shared/core/logger';

/**
 * Golden files: each folder under test/fixtures/manifest is a solution with fixture.json
 * listing cases and the checked-in expected manifest. UPDATE_FIXTURES=1 rewrites them
 * (review the diff: they are the compatibility contract).
 */
interface Case {
  template: string;
  platform: string;
  expected: string;
  env?: Record<string, string>;
  pushResults?: string;
  includeRegistryPasswords?: boolean;
  expectedName?: string;
  expectedBuildTags?: string[];
}

export const fixturesRoot = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'manifest');

describe('manifest fixtures (expected manifests checked in)', () => {
  const dirs = fs.readdirSync(fixturesRoot).filter((d) => fs.existsSync(path.join(fixturesRoot, d, 'fixture.json'))).sort();
  it('has at least 8 fixture solutions', () => assert.ok(dirs.length >= 8, `${dirs.length} fixtures`));
  for (const dir of dirs) {
    const root = path.join(fixturesRoot, dir);
    const { cases, description } = JSON.parse(fs.readFileSync(path.join(root, 'fixture.json'), 'utf8')) as { cases: Case[]; description: string };
    for (const c of cases) {
      it(`${dir}: ${c.template} ${c.platform}${c.env ? ' ' + JSON.stringify(c.env) : ''}${c.includeRegistryPasswords ? ' +passwords' : ''} — ${description}`, () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-fx-'));
        try {
          const g = generateManifest({
            templatePath: path.join(root, c.template),
            platform: c.platform,
            env: c.env ?? {},
            pushResultsPath: c.pushResults && path.join(root, c.pushResults),
            includeRegistryPasswords: c.includeRegistryPasswords,
            outputDir: out,
            cwd: out,
            log: new MemoryLogger(),
          });
          const expectedFile = path.join(root, c.expected);
          const written = fs.readFileSync(g.outputPath, 'utf8');
          if (process.env.UPDATE_FIXTURES) fs.writeFileSync(expectedFile, written);
          assert.equal(written, fs.readFileSync(expectedFile, 'utf8'));
          if (c.expectedName) assert.equal(path.basename(g.outputPath), c.expectedName);
          assert.ok(fs.existsSync(g.summaryPath), 'summary beside the manifest');
          if (c.expectedBuildTags) {
            const d = discoverModules(path.join(root, c.template), { platforms: [c.platform], env: c.env ?? {} });
            assert.deepEqual(d.specs.map((s) => s.tag).sort(), [...c.expectedBuildTags].sort());
          }
        } finally {
          fs.rmSync(out, { recursive: true, force: true });
        }
      });
    }
  }
  it('every written manifest re-validates and has no unexpanded placeholders', () => {
    for (const dir of dirs) {
      const { cases } = JSON.parse(fs.readFileSync(path.join(fixturesRoot, dir, 'fixture.json'), 'utf8')) as { cases: Case[] };
      const text = fs.readFileSync(path.join(fixturesRoot, dir, cases[0].expected), 'utf8');
      assert.ok(!/\$\{MODULE/.test(text), dir);
      assert.ok(!text.includes('$schema-template'), dir);
      void buildManifest;
    }
  });
});
