import { strict as assert } from 'assert';
import { formatImageRef, parseImageRef, retarget } from '../../../shared/docker/image-ref';

describe('docker/image-ref', () => {
  it('splits registry, path and tag; lowercases the repository like iotedgedev', () => {
    assert.deepEqual(parseImageRef('localhost:5000/Team/FilterModule:0.0.1-amd64'), { registry: 'localhost:5000', path: 'team/filtermodule', tag: '0.0.1-amd64' });
    assert.deepEqual(parseImageRef('myacr.azurecr.io/m'), { registry: 'myacr.azurecr.io', path: 'm', tag: 'latest' });
    assert.deepEqual(parseImageRef('team/m:1'), { registry: undefined, path: 'team/m', tag: '1' });
  });
  it('rejects other invalid characters by naming the reference', () => {
    for (const bad of ['reg.io/my module:1', 'reg.io/my$mod:1', 'reg.io/m:bad/tag', 'reg.io/-lead:1', 'reg.io/m@sha256:abc', '']) {
      assert.throws(() => parseImageRef(bad), /Invalid image reference/, bad);
    }
  });
  it('retargets to another registry keeping path and tag', () => {
    assert.equal(formatImageRef(retarget('localhost:5000/edge/a:1-amd64', '127.0.0.1:5001')), '127.0.0.1:5001/edge/a:1-amd64');
    assert.equal(formatImageRef(retarget('edge/a:1', 'MyAcr.azurecr.io')), 'myacr.azurecr.io/edge/a:1');
  });
});
