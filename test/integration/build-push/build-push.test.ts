import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { discoverModules } from '../../../shared/modules';
import { spawnRunner } from '../../../shared/core/exec';
import { MemoryLogger } from '../../../shared/core/logger';
import { buildImages } from '../../../shared/docker/build';
import { buildSolution, prepareDocker } from '../../../shared/docker/run-build';
import { BasicAuthProvider } from '../../../shared/auth/generic';
import { pushImages } from '../../../shared/registry/push';
import { busyboxArmImage, busyboxImage, qemuArmRegistered, requireDocker } from '../../support/docker';
import { TestRegistry, startRegistry } from '../../support/registry';

/** Real Docker engine + real registry (Debian docker-registry, htpasswd + TLS). */
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'solutions', 'buildpush-basic');
const cli = path.join(repoRoot, 'bin', 'edgeops.js');

function copy(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bp-'));
  fs.cpSync(fixture, d, { recursive: true });
  return d;
}

function edgeops(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { input: opts.input ?? '', env: { ...process.env, ...opts.env }, cwd: opts.cwd, encoding: 'utf8', timeout: 300_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('integration: build and push module images', function () {
  this.timeout(600_000);
  let reg: TestRegistry;
  let sol: string;
  const tag = `it${Date.now()}`;
  before(async () => {
    requireDocker();
    busyboxImage();
    reg = await startRegistry({ auth: true, tls: true });
    sol = copy();
  });
  after(async () => { await reg?.stop(); if (sol) fs.rmSync(sol, { recursive: true, force: true }); });
  const env = () => ({ CONTAINER_REGISTRY_SERVER: reg.address, CONTAINER_TAG: tag });

  it('CLI: builds, rebuilds nothing unchanged, rebuilds only what changed, pushes with --password-stdin and re-pushes nothing', () => {
    const tpl = path.join(sol, 'deployment.template.json');
    const b1 = edgeops(['modules', 'build', '--template', tpl, '--platform', 'amd64', '--results', path.join(sol, 'b.json')], { env: env() });
    assert.equal(b1.code, 0, b1.out);
    assert.match(b1.out, /2 built, 0 reused/);
    const b2 = edgeops(['modules', 'build', '--template', tpl, '--platform', 'amd64', '--results', path.join(sol, 'b.json')], { env: env() });
    assert.match(b2.out, /0 built, 2 reused/, b2.out);
    fs.writeFileSync(path.join(sol, 'modules', 'beta', 'src', 'config.json'), '{"beta": 2}\n');
    const b3 = edgeops(['modules', 'build', '--template', tpl, '--platform', 'amd64', '--results', path.join(sol, 'b.json')], { env: env() });
    assert.match(b3.out, /1 built, 1 reused/, b3.out);
    const built = JSON.parse(fs.readFileSync(path.join(sol, 'b.json'), 'utf8'));
    assert.equal(built.images.find((i: { module: string }) => i.module === 'beta').status, 'built');

    const pushArgs = ['modules', 'push', '--template', tpl, '--platform', 'amd64', '--registry', reg.address, '--username', reg.username!, '--password-stdin', '--results', path.join(sol, 'p.json')];
    const p1 = edgeops(pushArgs, { env: env(), input: reg.password + '\n' });
    assert.equal(p1.code, 0, p1.out);
    assert.ok(!p1.out.includes(reg.password!), 'password never printed');
    assert.match(p1.out, /2 pushed, 0 already/);
    const pushed = JSON.parse(fs.readFileSync(path.join(sol, 'p.json'), 'utf8'));
    // The digest is what the registry serves for the tag (checked with the engine, not with our client).
    const pull = spawnSync('docker', ['pull', pushed.images[0].tag], { encoding: 'utf8' });
    assert.ok(pull.stdout.includes(pushed.images[0].digest) || spawnSync('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', pushed.images[0].tag], { encoding: 'utf8' }).stdout.includes(pushed.images[0].digest), pull.stdout + pull.stderr);
    const p2 = edgeops(pushArgs, { env: env(), input: reg.password! });
    assert.match(p2.out, /0 pushed, 2 already/, p2.out);

    const bad = edgeops([...pushArgs.slice(0, -2)], { env: env(), input: 'not-the-password' });
    assert.equal(bad.code, 1);
    assert.match(bad.out, new RegExp(`authentication failed for ${reg.address.replace(/\./g, '\\.')}`));
    assert.ok(!bad.out.includes('not-the-password'));
  });

  it('a push failure names the module and the push results keep the successful images', async () => {
    const { specs } = discoverModules(path.join(sol, 'deployment.template.json'), { platforms: ['amd64'], env: { ...process.env, ...env() } });
    const docker = await prepareDocker(spawnRunner, new MemoryLogger());
    const items = specs.map((s) => ({ module: s.module.folder, platform: s.platform, tag: s.tag }));
    items.push({ module: 'ghost', platform: 'amd64', tag: `${reg.address}/edgeops-test/ghost:0.0.1-amd64` });
    const results = path.join(sol, 'push-fail.json');
    await assert.rejects(pushImages(items, { runner: spawnRunner, docker: docker.path, logger: new MemoryLogger(), registry: reg.address,
      auth: new BasicAuthProvider(reg.address, reg.username!, reg.password!), resultsPath: results }), /Push failed for ghost \(amd64\)/);
    const r = JSON.parse(fs.readFileSync(results, 'utf8'));
    assert.equal(r.images.length, 2);
    assert.ok(r.images.every((i: { digest: string }) => /^sha256:/.test(i.digest)));
    assert.equal(r.failed[0].module, 'ghost');
  });

  it('one failing module is named and the results file keeps what succeeded', async () => {
    const s2 = copy();
    try {
      fs.writeFileSync(path.join(s2, 'modules', 'alpha', 'Dockerfile.amd64'), 'FROM edgeops-test/busybox:local\nRUN exit 3\n');
      const { specs } = discoverModules(path.join(s2, 'deployment.template.json'), { platforms: ['amd64'], env: { ...process.env, ...env(), CONTAINER_TAG: `${tag}-f` } });
      const docker = await prepareDocker(spawnRunner, new MemoryLogger());
      const results = path.join(s2, 'r.json');
      await assert.rejects(buildImages(specs, { runner: spawnRunner, docker, logger: new MemoryLogger(), resultsPath: results }),
        (e: Error) => /Build failed for alpha \(amd64\)/.test(e.message) && !/beta/.test(e.message.split('\n')[0]));
      const r = JSON.parse(fs.readFileSync(results, 'utf8'));
      assert.deepEqual(r.images.map((i: { module: string }) => i.module), ['beta']);
      assert.equal(r.failed[0].module, 'alpha');
    } finally { fs.rmSync(s2, { recursive: true, force: true }); }
  });

  it('build reuses an image the registry already holds when no local copy exists', async () => {
    const tpl = path.join(sol, 'deployment.template.json');
    const { specs } = discoverModules(tpl, { platforms: ['amd64'], env: { ...process.env, ...env() } });
    for (const s of specs) spawnSync('docker', ['image', 'rm', s.tag], { stdio: 'ignore' });
    const r = await buildSolution({ templatePath: tpl, platforms: ['amd64'], env: { ...process.env, ...env() }, runner: spawnRunner, logger: new MemoryLogger(),
      registry: { address: reg.address, auth: new BasicAuthProvider(reg.address, reg.username!, reg.password!) } });
    assert.deepEqual(r.results.images.map((i) => `${i.status}:${i.reusedFrom}`), ['reused:registry', 'reused:registry']);
  });

  it('reports an unreachable registry and a stopped daemon with how to fix them', () => {
    const tpl = path.join(sol, 'deployment.template.json');
    const unreachable = edgeops(['modules', 'push', '--template', tpl, '--platform', 'amd64', '--registry', '127.0.0.1:1'], { env: env() });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.out, /registry unreachable: 127\.0\.0\.1:1/);
    const noDaemon = edgeops(['modules', 'build', '--template', tpl, '--platform', 'amd64'], { env: { ...env(), DOCKER_HOST: 'unix:///tmp/edgeops-no-such-docker.sock' } });
    assert.equal(noDaemon.code, 1);
    assert.match(noDaemon.out, /Docker daemon is not running/);
    assert.match(noDaemon.out, /systemctl start docker/);
    assert.ok(!/\n\s+at .+:\d+:\d+/.test(noDaemon.out), 'no stack trace');
  });

  it('a base image that is local only for another platform is named with the platform it lacks (BuildKit would look in a registry)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-base-'));
    try {
      fs.mkdirSync(path.join(dir, 'modules', 'm'), { recursive: true });
      // COPY only: no qemu involved, so the failure is the base image alone.
      fs.writeFileSync(path.join(dir, 'modules', 'm', 'Dockerfile'), `FROM ${busyboxImage()}\nCOPY module.json /m.json\n`);
      fs.writeFileSync(path.join(dir, 'modules', 'm', 'module.json'), JSON.stringify({ image: { repository: 'localhost:5000/base-check', tag: { version: '0.0.1', platforms: { arm64v8: './Dockerfile' } } } }));
      fs.writeFileSync(path.join(dir, 'deployment.template.json'), JSON.stringify({ modulesContent: { $edgeAgent: { 'properties.desired': { modules: { m: { type: 'docker', settings: { image: '${MODULES.m}' } } } } } } }));
      const docker = await prepareDocker(spawnRunner, new MemoryLogger());
      const found = discoverModules(path.join(dir, 'deployment.template.json'), { platforms: ['arm64v8'], env: {} });
      await assert.rejects(buildImages(found.specs, { runner: spawnRunner, docker, logger: new MemoryLogger(), incremental: false }),
        /exists locally only for linux\/amd64, and no linux\/arm64 variant could be pulled/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds a real arm32v7 image with a RUN step under qemu', async function () {
    if (!qemuArmRegistered()) {
      console.log('      skipped: no qemu-arm binfmt handler is registered on this machine (run bash scripts/setup.sh as root)');
      this.skip();
    }
    if (!fs.existsSync('/usr/lib/edgeops/armhf/busybox')) {
      console.log('      skipped: armhf busybox-static is not installed (bash scripts/setup.sh)');
      this.skip();
    }
    busyboxArmImage();
    const r = await buildSolution({ templatePath: path.join(sol, 'deployment.template.json'), platforms: ['arm32v7'], modules: ['alpha'],
      env: { ...process.env, ...env(), CONTAINER_TAG: `${tag}-arm` }, runner: spawnRunner, logger: new MemoryLogger(), incremental: false });
    const img = r.results.images[0];
    assert.equal(img.status, 'built');
    const arch = spawnSync('docker', ['image', 'inspect', '--format', '{{.Architecture}}/{{.Variant}}', img.tag], { encoding: 'utf8' }).stdout.trim();
    assert.equal(arch, 'arm/v7');
    const out = spawnSync('docker', ['run', '--rm', '--platform', 'linux/arm/v7', img.tag, 'cat', '/app/built.txt'], { encoding: 'utf8' });
    assert.equal(out.stdout.trim(), 'hello from armv7l', out.stderr);
  });
});
