import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  buildManifest, generateManifest, convertCreateOptions, checkCreateOptions, manifestFileName, validateManifest,
  registryCredentialSets, fillRegistryPasswords, readPushResults, MAX_CHUNKS,
} from '../../../shared/manifest';
import { AggregateInputError, EdgeOpsError, InputError } from '../../../shared/core/errors';
import { MemoryLogger } from '../../../shared/core/logger';
import { discoverModules } from '../../../shared/modules';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-mf-'));
const sys = {
  edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: {} } },
  edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: {} } },
};
const mod = (image: string, extra: object = {}) => ({ version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image, createOptions: {} }, ...extra });
function template(modules: object, extra: object = {}) {
  return {
    '$schema-template': '4.0.0',
    modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: {} }, systemModules: sys, modules } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.2', routes: { r: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
    ...extra,
  };
}
function solution(tpl: object | string, files: Record<string, string> = {}): string {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'deployment.template.json'), typeof tpl === 'string' ? tpl : JSON.stringify(tpl, null, 2));
  for (const [f, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), c);
  }
  return dir;
}
const withModule = (name = 'm', platforms = ['amd64']) => ({
  [`modules/${name}/module.json`]: JSON.stringify({ image: { repository: `localhost:5000/${name}`, tag: { version: '1.0.0', platforms: Object.fromEntries(platforms.map((p) => [p, `./Dockerfile.${p}`])) } } }),
  ...Object.fromEntries(platforms.map((p) => [`modules/${name}/Dockerfile.${p}`, 'FROM scratch\n'])),
});
const build = (dir: string, o: Partial<Parameters<typeof buildManifest>[0]> = {}) =>
  buildManifest({ templatePath: path.join(dir, 'deployment.template.json'), platform: 'amd64', env: {}, cwd: dir, log: new MemoryLogger(), ...o });
function errorsOf(fn: () => unknown): EdgeOpsError[] {
  try { fn(); } catch (e) {
    if (e instanceof AggregateInputError) return e.errors;
    if (e instanceof EdgeOpsError) return [e];
    throw e;
  }
  assert.fail('expected an error');
}

describe('manifest/createOptions', () => {
  it('an object is minified; a short value stays in createOptions', () => {
    const s: Record<string, any> = { createOptions: { HostConfig: { Privileged: true } } };
    assert.deepEqual(convertCreateOptions(s), []);
    assert.deepEqual(s, { createOptions: '{"HostConfig":{"Privileged":true}}' });
  });
  it('splits into 512-character chunks createOptions, createOptions01, … and re-joins to the same JSON', () => {
    const big = { Env: Array.from({ length: 60 }, (_, i) => `K${i}=${'x'.repeat(30)}`) };
    const s: Record<string, any> = { createOptions: big };
    convertCreateOptions(s);
    const keys = Object.keys(s);
    assert.deepEqual(keys, ['createOptions', 'createOptions01', 'createOptions02', 'createOptions03', 'createOptions04']);
    assert.ok(keys.slice(0, -1).every((k) => s[k].length === 512));
    assert.deepEqual(JSON.parse(keys.map((k) => s[k]).join('')), big);
    assert.deepEqual(checkCreateOptions(s), []);
  });
  it('a JSON-object string is kept as written; pre-chunked strings are joined and re-split', () => {
    const s: Record<string, any> = { createOptions: '{"A":', createOptions01: ' 1}' };
    assert.deepEqual(convertCreateOptions(s), []);
    assert.deepEqual(s, { createOptions: '{"A": 1}' });
  });
  it('rejects createOptions that are neither an object nor a JSON-object string', () => {
    assert.match(convertCreateOptions({ createOptions: '[1,2]' })[0].message, /JSON object/);
    assert.match(convertCreateOptions({ createOptions: 'not json' })[0].message, /not valid JSON/);
    assert.match(convertCreateOptions({ createOptions: 5 })[0].message, /not number/);
    assert.match(convertCreateOptions({ createOptions: [1] })[0].message, /not an array/);
  });
  it('accepts up to 100 chunks (the agent limit, not iotedgedev\'s 8) and rejects more', () => {
    const ok = { createOptions: { a: 'y'.repeat(512 * 99) } };
    assert.deepEqual(convertCreateOptions(ok), []);
    assert.equal(Object.keys(ok).length, MAX_CHUNKS);
    const tooBig = { createOptions: { a: 'y'.repeat(512 * 100) } };
    assert.match(convertCreateOptions(tooBig)[0].message, /over the IoT Edge agent's limit of 100/);
  });
  it('check finds oversized chunks and a joined string that is not an object', () => {
    assert.match(checkCreateOptions({ createOptions: 'x'.repeat(513) }).map((p) => p.message).join(), /513 characters/);
    assert.match(checkCreateOptions({ createOptions: '"str"' })[0].message, /not a JSON object/);
  });
});

describe('manifest/output naming', () => {
  it('<template name>[.<platform>].json, platform only above $schema-template 0.0.1', () => {
    assert.equal(manifestFileName('/a/deployment.template.json', '4.0.0', 'amd64'), 'deployment.amd64.json');
    assert.equal(manifestFileName('/a/deployment.debug.template.json', '1.0.0', 'arm32v7'), 'deployment.debug.arm32v7.json');
    assert.equal(manifestFileName('/a/deployment.template.json', '0.0.1', 'amd64'), 'deployment.json');
    assert.equal(manifestFileName('/a/deployment.template.json', undefined, 'amd64'), 'deployment.json');
    assert.equal(manifestFileName('/a/custom.json', '4.0.0', 'amd64'), 'custom.amd64.json');
    assert.equal(manifestFileName('/a/tpl', '4.0.0', 'amd64'), 'deployment.amd64.json');
    assert.equal(manifestFileName('/a/deployment.template.json', '4.0.0', 'amd64', 'x.json'), 'x.json');
  });
  it('CONFIG_OUTPUT_DIR is relative to the working directory; --output wins', () => {
    const dir = solution(template({}));
    const cwd = tmp();
    assert.equal(build(dir, { cwd, env: { CONFIG_OUTPUT_DIR: 'out' } }).outputPath, path.join(cwd, 'out', 'deployment.amd64.json'));
    assert.equal(build(dir, { cwd }).outputPath, path.join(cwd, 'config', 'deployment.amd64.json'));
    assert.equal(build(dir, { cwd, outputPath: 'x/y.json' }).outputPath, path.join(cwd, 'x', 'y.json'));
  });
  it('MODULES_PATH is relative to the template folder', () => {
    const files = withModule('m');
    const moved = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace(/^modules\//, 'src/'), v]));
    const dir = solution(template({ mm: mod('${MODULES.m}') }), moved);
    assert.equal((build(dir, { env: { MODULES_PATH: 'src' } }).manifest as any).modulesContent.$edgeAgent['properties.desired'].modules.mm.settings.image, 'localhost:5000/m:1.0.0-amd64');
  });
});

describe('manifest/errors (all at once, with file:line:column)', () => {
  it('invalid JSON names line and column in the file as written', () => {
    const dir = solution('{\n  "modulesContent": {\n    "a": 1,\n  }\n}');
    const [e] = errorsOf(() => build(dir));
    assert.match(e.message, /Invalid JSON/);
    assert.deepEqual([e.location?.line, e.location?.column], [4, 3]);
  });
  it('lists every unresolved variable with its own location', () => {
    const dir = solution('{\n  "modulesContent": {\n    "x": "$ONE",\n    "y": "${TWO}"\n  }\n}');
    const errs = errorsOf(() => build(dir));
    const un = errs.filter((e) => /unresolved variable/.test(e.message));
    assert.deepEqual(un.map((e) => [e.message, e.location?.line, e.location?.column]), [
      ['unresolved variable $ONE', 3, 11], ['unresolved variable ${TWO}', 4, 11],
    ]);
  });
  it('an unquoted unresolved variable is reported as such (first, located), not only as invalid JSON', () => {
    const dir = solution('{\n  "modulesContent": {\n    "x": ${UNDEFINED_VAR},\n    "y": "$ALSO_MISSING"\n  }\n}');
    const errs = errorsOf(() => build(dir));
    assert.deepEqual(errs.slice(0, 2).map((e) => [e.message, e.location?.line, e.location?.column]), [
      ['unresolved variable ${UNDEFINED_VAR}', 3, 10], ['unresolved variable $ALSO_MISSING', 4, 11],
    ]);
    assert.match(errs[errs.length - 1].message, /Invalid JSON/);
    // The module discovery used by build/push reads the template the same way.
    assert.throws(() => discoverModules(path.join(dir, 'deployment.template.json'), { platforms: ['amd64'], env: {} }),
      (e: Error) => /unresolved variable \$\{UNDEFINED_VAR\}/.test(e.message) && e.message.indexOf('UNDEFINED_VAR') < e.message.indexOf('Invalid JSON'));
  });
  it('with allowLiteralDollar a broken document is only a JSON error', () => {
    const dir = solution('{\n  "modulesContent": {\n    "x": ${UNDEFINED_VAR}\n  }\n}');
    const errs = errorsOf(() => build(dir, { allowLiteralDollar: true }));
    assert.equal(errs.length, 1);
    assert.match(errs[0].message, /Invalid JSON/);
    assert.deepEqual([errs[0].location?.line, errs[0].location?.column], [3, 10]);
  });
  it('allowLiteralDollar leaves unresolved text alone', () => {
    const dir = solution(template({ ee: mod('mcr.microsoft.com/x:1', { env: { CMD: { value: 'echo $HOME_DIR' } } }) }));
    const g = build(dir, { allowLiteralDollar: true });
    assert.equal((g.manifest as any).modulesContent.$edgeAgent['properties.desired'].modules.ee.env.CMD.value, 'echo $HOME_DIR');
  });
  it('values are JSON-escaped (a quote in a value does not break the document)', () => {
    const dir = solution(template({ ee: mod('mcr.microsoft.com/x:1', { env: { V: { value: '$Q' } } }) }));
    assert.equal((build(dir, { env: { Q: 'a "quoted" \\ value' } }).manifest as any).modulesContent.$edgeAgent['properties.desired'].modules.ee.env.V.value, 'a "quoted" \\ value');
  });
  it('module problems: missing module.json, unknown platform, missing Dockerfile, non-docker type, bad and duplicate names', () => {
    const dir = solution(template({
      a: mod('${MODULES.nojson}'),
      b: mod('${MODULES.m.arm32v7}'),
      c: mod('${MODULES.nodf}'),
      d: { ...mod('mcr.microsoft.com/x:1'), type: 'native' },
      '-bad': mod('mcr.microsoft.com/x:1'),
    }), { ...withModule('m'), 'modules/nojson/x.txt': '', 'modules/nodf/module.json': JSON.stringify({ image: { repository: 'r/n', tag: { platforms: { amd64: './Dockerfile' } } } }) });
    const msgs = errorsOf(() => build(dir)).map((e) => e.message).join('\n');
    assert.match(msgs, /nojson has no module.json/);
    assert.match(msgs, /platform "arm32v7" is not defined/);
    assert.match(msgs, /Dockerfile for platform "amd64" not found/);
    assert.match(msgs, /type "native"; only "docker"/);
    assert.match(msgs, /"-bad" would be rejected by Docker/);
  });
  it('duplicate module names (also across layered keys) and duplicate JSON keys', () => {
    const text = JSON.stringify(template({ m: mod('mcr.microsoft.com/x:1') }), null, 2)
      .replace('"modules": {', '"modules": {\n "m": ' + JSON.stringify(mod('mcr.microsoft.com/y:1')) + ',');
    const errs = errorsOf(() => build(solution(text)));
    assert.ok(errs.some((e) => /duplicate key "m"/.test(e.message) && e.location?.line !== undefined), errs.map((e) => e.message).join('\n'));
    const layered = { content: { modulesContent: { $edgeAgent: { 'properties.desired.modules.a': mod('x/a:1'), 'properties.desired.modules.A': mod('x/b:1') } } } };
    assert.ok(errorsOf(() => build(solution(layered))).some((e) => /duplicate module name "A"/.test(e.message)));
  });
  it('an image placeholder outside settings.image is an error', () => {
    const dir = solution(template({ ee: mod('mcr.microsoft.com/x:1', { env: { IMG: { value: '${MODULES.m}' } } }) }), withModule('m'));
    assert.match(errorsOf(() => build(dir))[0].message, /not expanded here/);
  });
  it('an unknown platform name is an error before anything is read', () => {
    assert.throws(() => build(solution(template({})), { platform: 'amd 64' }), /Unknown platform/);
  });
  it('nothing is written when generation fails; an output path that is a directory is refused', () => {
    const dir = solution(template({ aa: mod('${MODULES.none}') }));
    const out = path.join(dir, 'out.json');
    assert.throws(() => generateManifest({ templatePath: path.join(dir, 'deployment.template.json'), platform: 'amd64', env: {}, outputPath: out }));
    assert.ok(!fs.existsSync(out));
    const ok = solution(template({}));
    fs.mkdirSync(path.join(ok, 'isdir.json'));
    assert.throws(() => generateManifest({ templatePath: path.join(ok, 'deployment.template.json'), platform: 'amd64', env: {}, outputPath: path.join(ok, 'isdir.json') }), /is a directory/);
    assert.deepEqual(fs.readdirSync(ok).filter((f) => f.endsWith('.tmp')), []);
  });
});

describe('manifest/schema validation (bundled, no network)', () => {
  it('reports JSON pointer + template line/column; warning mode generates anyway', () => {
    const t = template({ mm: { ...mod('x/y:1'), restartPolicy: 'sometimes', typo: 1 } });
    const dir = solution(t);
    const errs = errorsOf(() => build(dir));
    const rp = errs.find((e) => /restartPolicy must be one of/.test(e.message));
    assert.ok(rp, errs.map((e) => e.message).join('\n'));
    assert.equal(rp.location?.file, path.join(dir, 'deployment.template.json'));
    assert.ok((rp.location?.line ?? 0) > 1);
    assert.ok(errs.some((e) => /\/modules\/mm\/typo is not an allowed property/.test(e.message)));
    const log = new MemoryLogger();
    build(dir, { validate: 'warning', log });
    assert.ok(log.lines.some((l) => /warning: schema:.*restartPolicy/.test(l)));
    build(dir, { validate: 'off' });
  });
  it('knows edgeAgent 1.0/1.1 and edgeHub 1.0–1.2 features by version', () => {
    const base = (agentV: string, hubV: string, moduleExtra: object, routes: object) => ({
      modulesContent: {
        $edgeAgent: { 'properties.desired': { schemaVersion: agentV, runtime: { type: 'docker', settings: {} }, systemModules: { edgeAgent: { type: 'docker', settings: { image: 'a:1', createOptions: '{}' } }, edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'h:1', createOptions: '{}' } } }, modules: { mm: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'm:1' }, ...moduleExtra } } } },
        $edgeHub: { 'properties.desired': { schemaVersion: hubV, routes } },
      },
    });
    assert.deepEqual(validateManifest(base('1.1', '1.1', { startupOrder: 1 }, { r: { route: 'FROM /* INTO $upstream', priority: 1 } })), []);
    assert.ok(validateManifest(base('1.0', '1.0', { startupOrder: 1 }, { r: 'x' })).some((i) => /startupOrder/.test(i.pointer)));
    assert.ok(validateManifest(base('1.1', '1.0', {}, { r: { route: 'x' } })).some((i) => /routes\/r/.test(i.pointer)));
    assert.ok(validateManifest(base('2.0', '1.2', {}, {})).some((i) => /unsupported schemaVersion "2.0"/.test(i.message)));
  });
});

describe('manifest/registry credentials and secrets', () => {
  it('reads unsuffixed and _SUFFIX sets', () => {
    const sets = registryCredentialSets({ CONTAINER_REGISTRY_SERVER: 'a', CONTAINER_REGISTRY_USERNAME: 'u', CONTAINER_REGISTRY_PASSWORD: 'p', CONTAINER_REGISTRY_SERVER_B: 'b', CONTAINER_REGISTRY_PASSWORD_B: 'q', OTHER: 'x' });
    assert.deepEqual(sets, [{ suffix: '', server: 'a', username: 'u', password: 'p' }, { suffix: 'B', server: 'b', password: 'q' }]);
  });
  it('passwords stay placeholders, are registered as secrets, and the deploy step fills them in memory', () => {
    const t = template({}); (t.modulesContent.$edgeAgent['properties.desired'].runtime.settings as any).registryCredentials = {
      r: { username: '$CONTAINER_REGISTRY_USERNAME', password: '$CONTAINER_REGISTRY_PASSWORD', address: '$CONTAINER_REGISTRY_SERVER' },
    };
    const dir = solution(t);
    const log = new MemoryLogger();
    const env = { CONTAINER_REGISTRY_SERVER: 'r.io', CONTAINER_REGISTRY_USERNAME: 'u', CONTAINER_REGISTRY_PASSWORD: 'TopSecret!' };
    const g = build(dir, { env, log });
    assert.ok(!g.text.includes('TopSecret!'));
    assert.ok(g.text.includes('"password": "$CONTAINER_REGISTRY_PASSWORD"'));
    assert.ok(!JSON.stringify(g.summary).includes('TopSecret!'));
    log.info('pw TopSecret!');
    assert.equal(log.lines.at(-1), 'pw ***');
    const copy = JSON.parse(g.text);
    assert.deepEqual(fillRegistryPasswords(copy, env), []);
    assert.equal(copy.modulesContent.$edgeAgent['properties.desired'].runtime.settings.registryCredentials.r.password, 'TopSecret!');
    const opted = build(dir, { env, includeRegistryPasswords: true, log: new MemoryLogger() });
    assert.ok(opted.text.includes('TopSecret!'));
    assert.equal(opted.summary.registries[0].password, 'included');
  });
});

describe('manifest/digest pinning', () => {
  it('replaces images equal to a pushed tag with repository@digest; warns for built images not pushed', () => {
    const dir = solution(template({ mm: mod('${MODULES.m}'), nn: mod('${MODULES.n}'), ext: mod('mcr.microsoft.com/x:1') }), { ...withModule('m'), ...withModule('n') });
    const digest = 'sha256:' + 'c'.repeat(64);
    fs.writeFileSync(path.join(dir, 'push.json'), JSON.stringify({ version: 1, registry: 'localhost:5000', images: [
      { module: 'm', platform: 'amd64', tag: 'localhost:5000/m:1.0.0-amd64', digest, repository: 'localhost:5000/m', pushed: true },
    ] }));
    const log = new MemoryLogger();
    const g = build(dir, { pushResultsPath: 'push.json', log });
    const mods = (g.manifest as any).modulesContent.$edgeAgent['properties.desired'].modules;
    assert.equal(mods.mm.settings.image, `localhost:5000/m@${digest}`);
    assert.equal(mods.nn.settings.image, 'localhost:5000/n:1.0.0-amd64');
    assert.equal(mods.ext.settings.image, 'mcr.microsoft.com/x:1');
    assert.ok(log.lines.some((l) => /nn: localhost:5000\/n:1.0.0-amd64 is not in the push results/.test(l)));
    assert.equal(g.summary.modules.find((m) => m.name === 'mm')?.digest, digest);
  });
  it('rejects a malformed push results file with its location', () => {
    const dir = tmp();
    const f = path.join(dir, 'p.json');
    fs.writeFileSync(f, '{\n  "version": 1,\n  "images": [\n    { "tag": "r/m:1", "repository": "r/m", "digest": "md5:x" }\n  ]\n}');
    assert.throws(() => readPushResults(f), (e: InputError) => /digest/.test(e.message) && e.location?.line === 4);
  });
});
