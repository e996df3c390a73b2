import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chooseDockerTool, detectDockerTool, findDockerClients, parseClientVersion } from '../../../shared/docker/cli-detect';
import { CommandRunner } from '../../../shared/core/exec';

describe('docker/cli-detect', () => {
  it('prefers buildx, then a pre-23 client (legacy BuildKit), then classic', () => {
    const new28 = { path: '/usr/local/bin/docker', version: '28.2.2', buildx: false };
    const deb20 = { path: '/usr/bin/docker', version: '20.10.24+dfsg1', buildx: false };
    const bx = { path: '/opt/docker', version: '27.0.1', buildx: true };
    assert.deepEqual(chooseDockerTool([new28, deb20]), { path: '/usr/bin/docker', version: deb20.version, builder: 'buildkit', candidates: [new28, deb20] });
    assert.equal(chooseDockerTool([new28, deb20, bx])!.builder, 'buildx');
    assert.equal(chooseDockerTool([new28, deb20, bx])!.path, '/opt/docker');
    assert.deepEqual(chooseDockerTool([new28])!.builder, 'classic');
    assert.equal(chooseDockerTool([]), undefined);
  });
  it('parses client versions', () => {
    assert.equal(parseClientVersion('Docker version 28.2.2, build e6534b4'), '28.2.2');
    assert.equal(parseClientVersion('Docker version 20.10.24+dfsg1, build 297e128'), '20.10.24+dfsg1');
  });
  it('finds every distinct docker on PATH, once per real binary', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-path-'));
    try {
      for (const d of ['a', 'b', 'c']) fs.mkdirSync(path.join(root, d));
      fs.writeFileSync(path.join(root, 'a', 'docker'), '#!/bin/sh\n', { mode: 0o755 });
      fs.symlinkSync(path.join(root, 'a', 'docker'), path.join(root, 'b', 'docker')); // same binary
      fs.writeFileSync(path.join(root, 'c', 'docker'), '#!/bin/sh\n', { mode: 0o755 });
      const found = findDockerClients([path.join(root, 'a'), path.join(root, 'b'), path.join(root, 'c'), path.join(root, 'none')].join(path.delimiter));
      assert.deepEqual(found, [path.join(root, 'a', 'docker'), path.join(root, 'c', 'docker')]);
    } finally { fs.rmSync(root, { recursive: true, force: true }); }
  });
  it('detects through the runner and reports a missing docker with an install hint', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-path-'));
    try {
      fs.writeFileSync(path.join(root, 'docker'), '', { mode: 0o755 });
      const runner: CommandRunner = { async run(_t, args) {
        if (args[0] === '--version') return { code: 0, stdout: 'Docker version 28.2.2, build x\n', stderr: '' };
        return { code: 1, stdout: '', stderr: "docker: 'buildx' is not a docker command." };
      } };
      const t = await detectDockerTool(runner, root);
      assert.equal(t.builder, 'classic');
      await assert.rejects(detectDockerTool(runner, path.join(root, 'nothing')), /No docker client found on PATH/);
    } finally { fs.rmSync(root, { recursive: true, force: true }); }
  });
});
