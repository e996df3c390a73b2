import { strict as assert } from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';
import { spawnRunner } from '../../../shared/core/exec';
import { busyboxImage, requireDocker } from '../../support/docker';
import { startRegistry, TestRegistry } from '../../support/registry';

/** GET a manifest through the registry HTTP API (basic auth, pinned CA). */
function getManifest(reg: TestRegistry, repo: string, ref: string): Promise<{ status: number; digest?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: reg.host,
      port: reg.port,
      path: `/v2/${repo}/manifests/${ref}`,
      method: 'GET',
      ca: reg.caPem,
      auth: `${reg.username}:${reg.password}`,
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, digest: res.headers['docker-content-digest'] as string | undefined, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('foundation: real Docker engine + authenticated TLS registry', function () {
  this.timeout(300_000);
  let reg: TestRegistry;
  let dockerConfig: string;
  let ctx: string;

  before(async () => {
    requireDocker();
    busyboxImage();
    reg = await startRegistry({ auth: true, tls: true });
    // A private docker config so credentials never land in the user's ~/.docker.
    dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-dockercfg-'));
    ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-ctx-'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM edgeops-test/busybox:local\nRUN echo "built $(date +%s%N)" > /hello.txt\nCMD ["cat", "/hello.txt"]\n');
  });

  after(async () => {
    await reg?.stop();
    if (dockerConfig) fs.rmSync(dockerConfig, { recursive: true, force: true });
    if (ctx) fs.rmSync(ctx, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, DOCKER_CONFIG: dockerConfig, DOCKER_BUILDKIT: '0' });

  it('rejects a wrong password without echoing it', async () => {
    const wrong = 'definitely-wrong-password';
    const r = await spawnRunner.run('docker', ['login', reg.address, '--username', reg.username!, '--password-stdin'], { stdin: wrong, env: env() });
    assert.notEqual(r.code, 0);
    assert.ok(!r.stdout.includes(wrong) && !r.stderr.includes(wrong));
  });

  it('builds a tiny image, pushes it with --password-stdin and reads the digest back from the registry API', async () => {
    const ref = `${reg.address}/foundation/hello:1`;
    const build = await spawnRunner.run('docker', ['build', '-t', ref, ctx], { env: env() });
    assert.equal(build.code, 0, build.stderr);

    const login = await spawnRunner.run('docker', ['login', reg.address, '--username', reg.username!, '--password-stdin'], { stdin: reg.password, env: env() });
    assert.equal(login.code, 0, login.stderr);
    try {
      const push = await spawnRunner.run('docker', ['push', ref], { env: env() });
      assert.equal(push.code, 0, push.stderr);

      const m = await getManifest(reg, 'foundation/hello', '1');
      assert.equal(m.status, 200);
      assert.match(m.digest ?? '', /^sha256:[0-9a-f]{64}$/);
      // The registry's digest is the sha256 of the exact manifest bytes it serves.
      assert.equal(m.digest, 'sha256:' + crypto.createHash('sha256').update(m.body).digest('hex'));

      // And it is the digest the engine recorded for the pushed image.
      const inspect = await spawnRunner.run('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref], { env: env() });
      const repoDigests = JSON.parse(inspect.stdout) as string[];
      assert.ok(repoDigests.includes(`${reg.address}/foundation/hello@${m.digest}`), inspect.stdout);

      // Pulling by digest gives back the same image content.
      const run = await spawnRunner.run('docker', ['run', '--rm', `${reg.address}/foundation/hello@${m.digest}`], { env: env() });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^built \d+/);
    } finally {
      await spawnRunner.run('docker', ['logout', reg.address], { env: env() });
    }
  });

  it('refuses anonymous manifest reads', async () => {
    const anon = await new Promise<number>((resolve, reject) => {
      https.get({ host: reg.host, port: reg.port, path: '/v2/', ca: reg.caPem }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    assert.equal(anon, 401);
  });
});
