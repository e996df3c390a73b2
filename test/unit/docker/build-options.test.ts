import { strict as assert } from 'assert';
import { parseBuildOptions, tokenize } from '../../../shared/docker/build-options';
import { InputError } from '../../../shared/core/errors';

describe('docker/build-options', () => {
  it('accepts iotedgedev options in "--opt value" and "--opt=value" forms, normalized', () => {
    const r = parseBuildOptions(['--add-host=db:10.0.0.2', '--build-arg A=1', '--cache-from "repo/x:1"', '--label a=b',
      '--network host', '--no-cache', '--target final', '--shm-size 64m', '-m 1g', '--pull']);
    assert.deepEqual(r.args, ['--add-host', 'db:10.0.0.2', '--build-arg', 'A=1', '--cache-from', 'repo/x:1', '--label', 'a=b',
      '--network', 'host', '--no-cache', '--target', 'final', '--shm-size', '64m', '--memory', '1g', '--pull']);
    assert.deepEqual(r.buildArgs, { A: '1' });
    assert.equal(r.forceRebuild, true);
  });
  it('keeps quoted values with spaces together', () => {
    assert.deepEqual(tokenize(`--build-arg "MSG=hello world" --label 'x=y z'`), ['--build-arg', 'MSG=hello world', '--label', 'x=y z']);
  });
  it('rejects an unsupported option by name, with the module.json location', () => {
    assert.throws(() => parseBuildOptions(['--privileged'], { file: '/s/modules/a/module.json' }), (e: InputError) =>
      e instanceof InputError && /Unsupported build option "--privileged"/.test(e.message) && e.location?.file === '/s/modules/a/module.json');
  });
  it('rejects options EdgeOps owns (--tag, -f, --platform, --output)', () => {
    for (const o of ['-t x:1', '--file=Dockerfile', '--platform linux/arm64', '--output type=tar']) {
      assert.throws(() => parseBuildOptions([o]), /not allowed: EdgeOps sets it/, o);
    }
  });
  it('rejects a value option without its value and a flag with one', () => {
    assert.throws(() => parseBuildOptions(['--target']), /needs a value/);
    assert.throws(() => parseBuildOptions(['--network', '--pull']), /needs a value/);
    assert.throws(() => parseBuildOptions(['--no-cache=true']), /takes no value/);
    assert.throws(() => parseBuildOptions(['--build-arg "unterminated']), /unterminated/);
    assert.throws(() => parseBuildOptions(['--build-arg 1BAD=x']), /Invalid --build-arg/);
  });
  it('drops --quiet (the pipeline needs the build log)', () => {
    assert.deepEqual(parseBuildOptions(['-q']).args, []);
  });
});
