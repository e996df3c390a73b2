import { strict as assert } from 'assert';
import { MemoryLogger, SecretMasker } from '../../../shared/core/logger';
import { spawnRunner } from '../../../shared/core/exec';
import { EdgeOpsError, InputError, describeError, isUserError } from '../../../shared/core/errors';

describe('core/logger, exec, errors', () => {
  it('masks secrets, longest first, including URL-encoded forms', () => {
    const m = new SecretMasker();
    m.add('p@ss/word');
    m.add('p@ss');
    assert.equal(m.mask('login p@ss/word and p%40ss%2Fword'), 'login *** and ***');
    const log = new MemoryLogger();
    log.setSecret('SharedAccessKey=abc123==');
    log.info('conn HostName=h;SharedAccessKey=abc123==');
    assert.deepEqual(log.lines, ['conn HostName=h;***']);
  });

  it('runs tools with argument arrays (no shell) and feeds stdin', async () => {
    const r = await spawnRunner.run('sh', ['-c', 'read x; echo "got:$x:$1"', 'sh', '$(whoami); rm -rf /'], { stdin: 'secret\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'got:secret:$(whoami); rm -rf /\n');
    const lines: string[] = [];
    const r2 = await spawnRunner.run('sh', ['-c', 'echo a; echo b 1>&2; exit 3'], { onStdout: (l) => lines.push(l) });
    assert.equal(r2.code, 3);
    assert.deepEqual(lines, ['a']);
    assert.equal(r2.stderr, 'b\n');
  });

  it('describes user errors without a stack and internal ones with it', () => {
    const u = new InputError('bad platform', { file: 'module.json', line: 4, column: 7, field: 'image.tag.platforms' }, 'Use amd64.');
    assert.equal(describeError(u), 'module.json:4:7 (image.tag.platforms): bad platform\nUse amd64.');
    assert.ok(isUserError(u));
    const internal = new EdgeOpsError('Bug', 'oops', { userError: false });
    assert.match(describeError(internal), /oops\n\s+at /);
    assert.ok(!isUserError(new Error('x')));
  });
});
