import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkEmulation, dockerfileRunsCommands, readBinfmt } from '../../../shared/docker/binfmt';
import { EdgeOpsError } from '../../../shared/core/errors';

describe('docker/binfmt', () => {
  let root: string;
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-binfmt-')); });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  const handler = (name: string, state: string, flags: string) =>
    fs.writeFileSync(path.join(root, name), `${state}\ninterpreter /usr/libexec/qemu-binfmt/arm-binfmt-P\nflags: ${flags}\noffset 0\n`);

  it('reads state and the fix-binary flag', () => {
    handler('qemu-arm', 'enabled', 'PF');
    assert.deepEqual(readBinfmt('qemu-arm', root), { handler: 'qemu-arm', registered: true, enabled: true, fixBinary: true });
    assert.equal(readBinfmt('qemu-aarch64', root).registered, false);
  });
  it('fails before building when a handler is missing, naming platform, module and the fix', () => {
    handler('qemu-arm', 'enabled', 'PF');
    assert.doesNotThrow(() => checkEmulation([{ platform: 'arm32v7', module: 'a' }], { root, arch: 'x64' }));
    assert.throws(() => checkEmulation([{ platform: 'arm64v8', module: 'b' }], { root, arch: 'x64' }), (e: EdgeOpsError) =>
      /arm64v8 \(b\): no qemu-aarch64 binfmt handler/.test(e.message) && /update-binfmts/.test(e.hint ?? ''));
  });
  it('flags disabled handlers and handlers without F', () => {
    handler('qemu-arm', 'disabled', 'PF');
    assert.throws(() => checkEmulation([{ platform: 'arm32v7', module: 'a' }], { root, arch: 'x64' }), /disabled/);
    handler('qemu-arm', 'enabled', 'P');
    assert.throws(() => checkEmulation([{ platform: 'arm32v7', module: 'a' }], { root, arch: 'x64' }), /lacks the F/);
  });
  it('needs nothing for the host platform', () => {
    assert.doesNotThrow(() => checkEmulation([{ platform: 'amd64', module: 'a' }], { root, arch: 'x64' }));
    assert.doesNotThrow(() => checkEmulation([{ platform: 'arm64v8', module: 'a' }], { root, arch: 'arm64' }));
  });
  it('knows which Dockerfiles run commands for the target platform', () => {
    assert.equal(dockerfileRunsCommands('FROM scratch\nCOPY a /a\n'), false);
    assert.equal(dockerfileRunsCommands('FROM base\nrun echo hi\n'), true);
    assert.equal(dockerfileRunsCommands('FROM --platform=$BUILDPLATFORM golang AS b\nRUN go build\nFROM scratch\nCOPY --from=b /x /x\n'), false);
  });
});
