import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { failedBaseImages, samePlatform } from '../../../shared/docker/base-images';
import { buildImages } from '../../../shared/docker/build';
import { CommandRunner, RunOptions } from '../../../shared/core/exec';
import { MemoryLogger } from '../../../shared/core/logger';
import { ModuleBuildSpec } from '../../../shared/modules/types';

const BUILDKIT_FAIL = [
  '#3 [internal] load metadata for docker.io/edgeops-samples/node:20',
  '#3 ERROR: failed to do request: Head "https://registry-1.docker.io/v2/edgeops-samples/node/manifests/20": dial tcp: no such host',
  '#4 [internal] load metadata for docker.io/library/alpine:3',
  '#4 DONE 0.1s',
  'failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request',
].join('\n');

/** A docker stand-in: scripted build results, `image inspect` answers from a table. */
function scripted(builds: { code: number; out: string }[], local: Record<string, string>) {
  const calls: { args: string[]; env?: NodeJS.ProcessEnv }[] = [];
  const runner: CommandRunner = {
    async run(_tool: string, args: string[], opts: RunOptions = {}) {
      calls.push({ args, env: opts.env });
      if (args[0] === 'image' && args[1] === 'inspect') {
        const ref = args[args.length - 1];
        if (args[3].startsWith('{{.Id}}')) return { code: 1, stdout: '', stderr: 'No such image' }; // incremental check: nothing local
        return ref in local ? { code: 0, stdout: local[ref] + '\n', stderr: '' } : { code: 1, stdout: '', stderr: 'No such image' };
      }
      const b = builds.shift()!;
      if (b.code === 0) fs.writeFileSync(args[args.indexOf('--iidfile') + 1], 'sha256:' + 'e'.repeat(64));
      return { code: b.code, stdout: b.out, stderr: '' };
    },
  };
  return { runner, calls };
}

function spec(): ModuleBuildSpec {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-base-'));
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'ARG BASE=edgeops-samples/node:20\nFROM ${BASE}\nCOPY . /app\n');
  const module = { folder: 'm', dir, moduleJsonPath: path.join(dir, 'module.json'), repository: 'localhost:5000/m', version: '1.0.0',
    platforms: { amd64: path.join(dir, 'Dockerfile') }, buildOptions: [], contextPath: dir };
  return { module, platform: 'amd64', basePlatform: 'amd64', tag: 'localhost:5000/m:1.0.0-amd64', dockerfile: path.join(dir, 'Dockerfile'),
    contextPath: dir, buildOptions: [], manifestModuleNames: ['m'] };
}

const docker = { path: 'docker', version: '20.10.24', builder: 'buildkit' as const, candidates: [] };

describe('docker/base images BuildKit could not resolve', () => {
  it('reads the failed FROM images from BuildKit and buildx output', () => {
    assert.deepEqual(failedBaseImages(BUILDKIT_FAIL), ['edgeops-samples/node:20']);
    assert.deepEqual(failedBaseImages('ERROR: failed to solve: base:1: failed to resolve source metadata for docker.io/library/base:1: pull access denied'), ['base:1']);
    assert.deepEqual(failedBaseImages(' => ERROR [internal] load metadata for docker.io/acme/x:2   0.3s'), ['acme/x:2']);
    assert.deepEqual(failedBaseImages('#5 [2/3] RUN false\n#5 ERROR: process "/bin/sh -c false" did not complete'), []);
  });

  it('compares platforms with an optional variant', () => {
    assert.ok(samePlatform('linux/arm64/v8', 'linux/arm64'));
    assert.ok(samePlatform('linux/amd64', 'linux/amd64'));
    assert.ok(!samePlatform('linux/amd64', 'linux/arm/v7'));
    assert.ok(!samePlatform('linux/arm/v6', 'linux/arm/v7'));
  });

  it('falls back to the classic builder when the engine has the base for the right platform', async () => {
    const { runner, calls } = scripted([{ code: 1, out: BUILDKIT_FAIL }, { code: 0, out: 'Successfully built' }], { 'edgeops-samples/node:20': 'linux/amd64/' });
    const log = new MemoryLogger();
    const r = await buildImages([spec()], { runner, docker, logger: log, incremental: false });
    assert.equal(r.images[0].status, 'built');
    const builds = calls.filter((c) => c.args[0] === 'build');
    assert.equal(builds.length, 2);
    assert.equal(builds[0].env?.DOCKER_BUILDKIT, '1');
    assert.equal(builds[1].env?.DOCKER_BUILDKIT, '0');
    assert.ok(!builds[1].args.includes('--progress'), 'classic builder arguments');
    assert.ok(log.lines.some((l) => /warning: .*classic builder/.test(l)), log.lines.join('\n'));
  });

  it('says which platform is missing when the local base is for another one (no fallback)', async () => {
    const { runner, calls } = scripted([{ code: 1, out: BUILDKIT_FAIL }], { 'edgeops-samples/node:20': 'linux/arm/v7' });
    await assert.rejects(buildImages([spec()], { runner, docker, logger: new MemoryLogger(), incremental: false }),
      /edgeops-samples\/node:20 exists locally only for linux\/arm\/v7, and no linux\/amd64 variant could be pulled/);
    assert.equal(calls.filter((c) => c.args[0] === 'build').length, 1);
  });

  it('names a base image that is neither local nor pullable', async () => {
    const { runner } = scripted([{ code: 1, out: BUILDKIT_FAIL }], {});
    await assert.rejects(buildImages([spec()], { runner, docker, logger: new MemoryLogger(), incremental: false }),
      /Base image edgeops-samples\/node:20 is neither in the local Docker engine nor reachable in a registry/);
  });
});
