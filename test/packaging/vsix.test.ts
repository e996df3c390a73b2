import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import AdmZip from 'adm-zip';
import Ajv from 'ajv';
import { packageExtension, taskNames } from '../../scripts/package';

const root = path.resolve(__dirname, '..', '..', '..');
const EXPECTED_TASKS = ['IoTEdgeBuildModuleImages', 'IoTEdgeDeploy', 'IoTEdgeGenerateManifest', 'IoTEdgePushModuleImages', 'IoTEdgeSmokeTest'];

describe('packaging: the .vsix', function () {
  this.timeout(180_000);
  let zip: AdmZip;
  let vsixPath: string;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const ext = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as { id: string; publisher: string; version: string };

  before(async () => {
    vsixPath = (await packageExtension())!;
    zip = new AdmZip(vsixPath);
  });

  it('packages exactly the five tasks', () => {
    assert.deepEqual(taskNames(), EXPECTED_TASKS);
  });

  it('stays within the 5 MB target', () => {
    assert.ok(fs.statSync(vsixPath).size <= 5 * 1024 * 1024, `${fs.statSync(vsixPath).size} bytes`);
  });

  it('declares the extension identity and version in extension.vsixmanifest', () => {
    const xml = zip.readAsText('extension.vsixmanifest');
    assert.match(xml, new RegExp(`<Identity[^>]*Id="${ext.id}"`));
    assert.match(xml, new RegExp(`<Identity[^>]*Publisher="${ext.publisher}"`));
    assert.match(xml, new RegExp(`<Identity[^>]*Version="${pkg.version.replace(/\./g, '\\.')}"`));
    assert.equal(ext.version, pkg.version, 'vss-extension.json and package.json versions move together');
  });

  it('has one task contribution per task in extension.vsomanifest', () => {
    const manifest = JSON.parse(zip.readAsText('extension.vsomanifest')) as { contributions: { type: string; properties: { name: string } }[] };
    const tasks = manifest.contributions.filter((c) => c.type === 'ms.vss-distributed-task.task').map((c) => c.properties.name).sort();
    assert.deepEqual(tasks, EXPECTED_TASKS.map((t) => `tasks/${t}`));
  });

  it('ships each task.json, its execution targets and icon, valid against the task.json schema rules', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, 'test', 'data', 'task.schema.json'), 'utf8')));
    const ids = new Set<string>();
    for (const t of EXPECTED_TASKS) {
      const entry = zip.getEntry(`tasks/${t}/task.json`);
      assert.ok(entry, `tasks/${t}/task.json missing`);
      const tj = JSON.parse(entry.getData().toString('utf8')) as {
        id: string; name: string; friendlyName: string; version: { Major: number; Minor: number; Patch: number };
        execution: Record<string, { target: string }>; inputs: { name: string; aliases?: string[]; groupName?: string }[]; groups?: { name: string }[];
      };
      assert.ok(validate(tj), `${t}: ${ajv.errorsText(validate.errors)}`);
      assert.equal(tj.name, t);
      assert.ok(tj.friendlyName.length <= 40);
      assert.ok(!ids.has(tj.id), 'task ids are unique');
      ids.add(tj.id);
      assert.equal(`${tj.version.Major}.${tj.version.Minor}.${tj.version.Patch}`, pkg.version, `${t} version follows the extension`);
      assert.ok(tj.execution.Node20_1 && tj.execution.Node24, `${t} runs on Node20_1 and Node24`);
      for (const h of Object.values(tj.execution)) assert.ok(zip.getEntry(`tasks/${t}/${h.target}`), `${t}/${h.target} missing`);
      assert.ok(zip.getEntry(`tasks/${t}/icon.png`), `${t}/icon.png missing`);
      // Input names and aliases don't collide, and groups exist.
      const names = tj.inputs.flatMap((i) => [i.name, ...(i.aliases ?? [])].map((n) => n.toLowerCase()));
      assert.equal(new Set(names).size, names.length, `${t}: duplicate input name or alias`);
      const groups = new Set((tj.groups ?? []).map((g) => g.name));
      for (const i of tj.inputs) if (i.groupName) assert.ok(groups.has(i.groupName), `${t}: unknown group ${i.groupName}`);
    }
  });

  it('contains no node_modules, TypeScript sources, source maps or .taskkey files', () => {
    const bad = zip.getEntries().map((e) => e.entryName).filter((n) => /node_modules\/|\.ts$|\.map$|\.taskkey$/.test(n));
    assert.deepEqual(bad, []);
  });

  it('includes the 128x128 extension icon', () => {
    const png = zip.getEntry('images/extension-icon.png')!.getData();
    assert.equal(png.readUInt32BE(16), 128);
    assert.equal(png.readUInt32BE(20), 128);
  });
});
