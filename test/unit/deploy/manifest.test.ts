import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fillCredentials, loadDeploymentManifest, resolveManifestPath } from '../../../shared/deploy/manifest';
import { baseManifest, layeredManifest, writeManifest } from '../../integration/deploy/fixtures';

describe('deploy: manifest loading and credentials', () => {
  let tmp: string;
  before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-deploy-unit-')); });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a glob must match exactly one file; more is an error listing them', () => {
    writeManifest(tmp, 'config/deployment.amd64.json', baseManifest('1'));
    assert.equal(resolveManifestPath('config/*.json', tmp), path.join(tmp, 'config/deployment.amd64.json'));
    writeManifest(tmp, 'config/deployment.arm64v8.json', baseManifest('1'));
    assert.throws(() => resolveManifestPath('config/*.json', tmp), (e: Error) => /matches 2 files/.test(e.message) && e.message.includes('deployment.arm64v8.json'));
    assert.throws(() => resolveManifestPath('nothing/*.json', tmp), /No file matches/);
    assert.throws(() => resolveManifestPath('missing.json', tmp), /not found/);
  });

  it('reads plain and {"content":…} layered manifests; the layered flag must match the content', () => {
    const base = loadDeploymentManifest(writeManifest(tmp, 'b.json', baseManifest('1')), { layered: false });
    assert.equal(base.layered, false);
    const lay = loadDeploymentManifest(writeManifest(tmp, 'l.json', layeredManifest('1')), { layered: true });
    assert.equal(lay.layered, true);
    assert.ok(lay.content.modulesContent.$edgeAgent);
    assert.throws(() => loadDeploymentManifest(path.join(tmp, 'l.json'), { layered: false }), /manifest is layered/);
    assert.throws(() => loadDeploymentManifest(path.join(tmp, 'b.json'), { layered: true }), /would replace the base deployment/);
  });

  it('errors carry line and column', () => {
    const f = path.join(tmp, 'bad.json');
    fs.writeFileSync(f, '{\n  "modulesContent": {\n    "$edgeAgent": { "desired": {} }\n  }\n}');
    assert.throws(() => loadDeploymentManifest(f), (e: { message: string; location?: { line?: number } }) => /unexpected key "desired"/.test(e.message) && e.location?.line === 3);
    fs.writeFileSync(f, '{ "modulesContent": { , } }');
    assert.throws(() => loadDeploymentManifest(f), (e: { location?: { line?: number; column?: number } }) => e.location?.line === 1 && e.location?.column === 23);
    fs.writeFileSync(f, '{"modules": {}}');
    assert.throws(() => loadDeploymentManifest(f), /Not a deployment manifest/);
  });

  it('fills placeholders in memory from a connection by registry address, else from variables; file and manifest object untouched', () => {
    const f = writeManifest(tmp, 'c.json', baseManifest('1'));
    const m = loadDeploymentManifest(f);
    const filled = fillCredentials(m, [{ server: 'https://localhost:5000/', username: 'svc', password: 'from-connection' }]);
    const reg = (filled.modulesContent.$edgeAgent as any)['properties.desired'].runtime.settings.registryCredentials.reg;
    assert.equal(reg.password, 'from-connection');
    assert.equal(reg.username, 'u', 'an explicit user name stays');
    assert.match(JSON.stringify(m.content), /\$CONTAINER_REGISTRY_PASSWORD/);
    assert.equal((fillCredentials(m, [], { CONTAINER_REGISTRY_PASSWORD: 'v' }).modulesContent.$edgeAgent as any)['properties.desired'].runtime.settings.registryCredentials.reg.password, 'v');
    assert.throws(() => fillCredentials(m, [], {}), /reg \(localhost:5000\).*missing CONTAINER_REGISTRY_PASSWORD/);
  });

  it('content hash is over the manifest as written (placeholders), independent of key order', () => {
    const a = loadDeploymentManifest(writeManifest(tmp, 'h1.json', baseManifest('1')));
    const doc = baseManifest('1') as { modulesContent: Record<string, unknown> };
    const reordered = { modulesContent: Object.fromEntries(Object.entries(doc.modulesContent).reverse()) };
    const b = loadDeploymentManifest(writeManifest(tmp, 'h2.json', reordered));
    assert.equal(a.contentHash, b.contentHash);
    assert.notEqual(a.contentHash, loadDeploymentManifest(writeManifest(tmp, 'h3.json', baseManifest('2'))).contentHash);
  });
});
