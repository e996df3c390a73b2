import { strict as assert } from 'assert';
import { buildCommand } from '../../../shared/docker/build-args';
import { imageLabels } from '../../../shared/docker/labels';
import { dockerPlatform, parsePlatforms } from '../../../shared/docker/platforms';

describe('docker/build-args', () => {
  const base = { dockerPlatform: 'linux/arm/v7', tag: 'r/m:1-arm32v7', dockerfile: '/s/m/Dockerfile', contextPath: '/s/m',
    labels: { b: '2', a: '1' }, options: ['--target', 'x'], iidFile: '/tmp/iid' };
  it('buildx loads the result into the engine', () => {
    assert.deepEqual(buildCommand({ ...base, builder: 'buildx' }).args, ['buildx', 'build', '--load', '--progress', 'plain', '--platform', 'linux/arm/v7',
      '-f', '/s/m/Dockerfile', '-t', 'r/m:1-arm32v7', '--iidfile', '/tmp/iid', '--label', 'a=1', '--label', 'b=2', '--target', 'x', '/s/m']);
  });
  it('legacy BuildKit and classic differ by DOCKER_BUILDKIT', () => {
    const bk = buildCommand({ ...base, builder: 'buildkit' });
    assert.deepEqual(bk.env, { DOCKER_BUILDKIT: '1' });
    assert.equal(bk.args[0], 'build');
    const cl = buildCommand({ ...base, builder: 'classic' });
    assert.deepEqual(cl.env, { DOCKER_BUILDKIT: '0' });
    assert.ok(!cl.args.includes('--progress'));
    assert.equal(cl.args[cl.args.length - 1], '/s/m');
  });
  it('maps IoT Edge platforms and rejects unknown ones', () => {
    assert.equal(dockerPlatform('amd64'), 'linux/amd64');
    assert.equal(dockerPlatform('arm32v7'), 'linux/arm/v7');
    assert.equal(dockerPlatform('arm64v8'), 'linux/arm64');
    assert.deepEqual(parsePlatforms('amd64, arm32v7,amd64'), ['amd64', 'arm32v7']);
    assert.throws(() => parsePlatforms('amd64,windows-amd64'), /Unknown platform 'windows-amd64'/);
  });
  it('puts OCI labels and the content hash on the image', () => {
    const l = imageLabels({ source: 'https://x/repo', revision: 'abc', version: '1.2.3', created: new Date('2024-01-02T03:04:05Z'),
      contentHash: 'sha256:ff', module: 'm', platform: 'amd64' });
    assert.equal(l['org.opencontainers.image.revision'], 'abc');
    assert.equal(l['org.opencontainers.image.source'], 'https://x/repo');
    assert.equal(l['org.opencontainers.image.created'], '2024-01-02T03:04:05.000Z');
    assert.equal(l['org.opencontainers.image.version'], '1.2.3');
    assert.equal(l['io.edgeops.content-hash'], 'sha256:ff');
  });
});
