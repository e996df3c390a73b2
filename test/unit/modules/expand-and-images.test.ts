import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expandVariables, jsonEscape, imageTag, checkImageReference, ModuleCatalog, discoverModules, loadModuleJson } from '../../../shared/modules';
import { InputError } from '../../../shared/core/errors';

function solution(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-mod-'));
  for (const [f, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), c);
  }
  return dir;
}
const moduleJson = (repo: string, platforms: string[], version?: string, extra: object = {}) => JSON.stringify({
  image: { repository: repo, tag: { ...(version !== undefined ? { version } : {}), platforms: Object.fromEntries(platforms.map((p) => [p, `./Dockerfile.${p}`])) }, ...extra },
});
const dockerfiles = (folder: string, platforms: string[]) => Object.fromEntries(platforms.map((p) => [`${folder}/Dockerfile.${p}`, 'FROM scratch\n']));

describe('modules/variable expansion', () => {
  it('expands $VAR and ${VAR}, JSON-escaped, leaving image placeholders and IoT Edge words', () => {
    const r = expandVariables('"a":"$A","b":"${B}","i":"${MODULES.x}","d":"${MODULEDIR<m>}","r":"INTO $upstream WHERE $connectionModuleId"', {
      lookup: (n) => ({ A: 'say "hi"', B: 'c:\\x' } as Record<string, string>)[n], escape: jsonEscape,
    });
    assert.equal(r.text, '"a":"say \\"hi\\"","b":"c:\\\\x","i":"${MODULES.x}","d":"${MODULEDIR<m>}","r":"INTO $upstream WHERE $connectionModuleId"');
    assert.equal(r.unresolved.length, 0);
  });
  it('records every unresolved reference with its offset, and maps result offsets back to the source', () => {
    const src = 'x $LONGVALUE y $NOPE z ${ALSO_NOPE}';
    const r = expandVariables(src, { lookup: (n) => (n === 'LONGVALUE' ? 'v' : undefined) });
    assert.deepEqual(r.unresolved.map((u) => [u.name, u.offset]), [['NOPE', 15], ['ALSO_NOPE', 23]]);
    assert.equal(r.text, 'x v y $NOPE z ${ALSO_NOPE}');
    assert.equal(r.toSourceOffset(r.text.indexOf('$NOPE')), 15);
    assert.equal(r.toSourceOffset(2), 2); // inside the value: points at the reference
  });
  it('keeps names the caller wants kept', () => {
    const r = expandVariables('$CONTAINER_REGISTRY_PASSWORD', { lookup: () => 'secret', keep: (n) => n.startsWith('CONTAINER_REGISTRY_PASSWORD') });
    assert.equal(r.text, '$CONTAINER_REGISTRY_PASSWORD');
    assert.equal(r.kept.length, 1);
  });
});

describe('modules/image tags and module.json', () => {
  it('tag = <repository lowercased>:<version>[-<CONTAINER_TAG>]-<platform>', () => {
    assert.equal(imageTag('Reg:5000/My/Mod', '1.0.0', 'amd64'), 'reg:5000/my/mod:1.0.0-amd64');
    assert.equal(imageTag('r/m', '1.0.0', 'arm32v7', 'ci7'), 'r/m:1.0.0-ci7-arm32v7');
    assert.equal(imageTag('r/m', '0.0.1', 'amd64.debug'), 'r/m:0.0.1-amd64.debug');
  });
  it('flags references Docker would reject', () => {
    assert.equal(checkImageReference('localhost:5000/a/b:1.0-amd64'), undefined);
    assert.match(checkImageReference('r/m:bad tag')!, /not a valid Docker tag/);
    assert.match(checkImageReference('r/Upper_/m:1')!, /repository/);
  });
  it('module.json: variables expanded, version defaults to 0.0.0, paths absolute, repository lowercased', () => {
    const dir = solution({ 'm/module.json': moduleJson('${REG}/Mod', ['amd64'], '', { contextPath: '..', buildOptions: ['--build-arg A=1'] }) });
    const m = loadModuleJson(path.join(dir, 'm'), 'm', { vars: { REG: 'Host:1' } });
    assert.equal(m.repository, 'host:1/mod');
    assert.equal(m.version, '0.0.0');
    assert.equal(m.platforms.amd64, path.join(dir, 'm', 'Dockerfile.amd64'));
    assert.equal(m.contextPath, dir);
    assert.deepEqual(m.buildOptions, ['--build-arg A=1']);
  });
  it('module.json: unresolved variable and invalid JSON errors point at line and column', () => {
    const dir = solution({ 'a/module.json': '{\n  "image": {"repository": "$NOPE/x"}\n}', 'b/module.json': '{\n  "image": {,}\n}' });
    assert.throws(() => loadModuleJson(path.join(dir, 'a'), 'a', { vars: {} }), (e: InputError) => /NOPE/.test(e.message) && e.location?.line === 2 && e.location?.column === 28);
    assert.throws(() => loadModuleJson(path.join(dir, 'b'), 'b', { vars: {} }), (e: InputError) => /Invalid JSON/.test(e.message) && e.location?.line === 2);
    assert.throws(() => loadModuleJson(path.join(dir, 'c'), 'c', { vars: {} }), /not found/);
  });
  it('catalog resolves MODULES, platform, debug, MODULEDIR and literal tags; errors for unknowns', () => {
    const dir = solution({
      'modules/f/module.json': moduleJson('r/f', ['amd64', 'amd64.debug', 'arm64v8'], '1.0'),
      ...dockerfiles('modules/f', ['amd64', 'amd64.debug', 'arm64v8']),
      'modules/nojson/readme.md': '',
      'other/g/module.json': moduleJson('r/g', ['amd64'], '2.0'),
      ...dockerfiles('other/g', ['amd64']),
      'modules/nodf/module.json': moduleJson('r/n', ['amd64']),
    });
    const c = new ModuleCatalog({ templateDir: dir, modulesPath: 'modules', vars: {}, containerTag: 'ct' });
    assert.equal(c.resolve('${MODULES.f}', 'amd64')!.tag, 'r/f:1.0-ct-amd64');
    assert.equal(c.resolve('${MODULES.f.arm64v8}', 'amd64')!.tag, 'r/f:1.0-ct-arm64v8');
    assert.equal(c.resolve('${MODULES.f.debug}', 'amd64')!.platform, 'amd64.debug');
    assert.equal(c.resolve('${MODULEDIR<other/g>}', 'amd64')!.tag, 'r/g:2.0-ct-amd64');
    assert.equal(c.resolve('${MODULEDIR<other/g>.amd64}', 'arm64v8')!.tag, 'r/g:2.0-ct-amd64');
    assert.equal(c.resolve('r/f:1.0-ct-arm64v8', 'amd64')!.module.folder, 'f');
    assert.equal(c.resolve('mcr.microsoft.com/x:1', 'amd64'), null);
    assert.throws(() => c.resolve('${MODULES.f}', 'arm32v7'), /platform "arm32v7" is not defined.*amd64, amd64.debug, arm64v8/);
    assert.throws(() => c.resolve('${MODULES.missing}', 'amd64'), /no module folder "missing"/);
    assert.throws(() => c.resolve('${MODULES.nojson}', 'amd64'), /has no module.json/);
    assert.throws(() => c.resolve('${MODULES.nodf}', 'amd64'), /Dockerfile for platform "amd64" not found/);
    assert.throws(() => c.resolve('prefix-${MODULES.f}', 'amd64'), /whole image value/);
  });
  it('discoverModules: one spec per (module image, platform), names of manifest modules, bypass', () => {
    const dir = solution({
      'modules/a/module.json': moduleJson('r/a', ['amd64', 'arm32v7']), ...dockerfiles('modules/a', ['amd64', 'arm32v7']),
      'modules/b/module.json': moduleJson('r/b', ['amd64', 'arm32v7']), ...dockerfiles('modules/b', ['amd64', 'arm32v7']),
      'modules/unused/module.json': moduleJson('r/u', ['amd64']),
      'deployment.template.json': JSON.stringify({ modulesContent: { $edgeAgent: { 'properties.desired': { modules: {
        a1: { type: 'docker', settings: { image: '${MODULES.a}' } },
        a2: { type: 'docker', settings: { image: '${MODULES.a}' } },
        b: { type: 'docker', settings: { image: '${MODULES.b.amd64}' } },
        ext: { type: 'docker', settings: { image: 'mcr.microsoft.com/x:1' } },
      } } } } }),
    });
    const r = discoverModules(path.join(dir, 'deployment.template.json'), { platforms: ['amd64', 'arm32v7'], env: {}, bypassModules: ['b'] });
    assert.deepEqual(r.specs.map((s) => `${s.tag} ${s.manifestModuleNames.join('+')} ${s.basePlatform}`).sort(), [
      'r/a:0.0.0-amd64 a1+a2 amd64', 'r/a:0.0.0-arm32v7 a1+a2 arm32v7',
    ]);
    assert.deepEqual(r.bypassed.map((s) => s.tag), ['r/b:0.0.0-amd64']);
    assert.deepEqual(r.modules.map((m) => m.folder).sort(), ['a', 'b']);
    assert.equal(r.specs[0].dockerfile, path.join(dir, 'modules/a/Dockerfile.amd64'));
  });
});
