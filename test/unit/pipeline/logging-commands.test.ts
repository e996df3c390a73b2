import * as assert from 'assert';
import { parseLoggingCommand } from '../../../cli/pipeline/logging-commands';

describe('pipeline logging commands', () => {
  it('parses command, properties and message with task-lib escaping', () => {
    const c = parseLoggingCommand('##vso[task.setvariable variable=a%3Bb;isOutput=true;issecret=false]line1%0Aline2 50%AZP25');
    assert.deepStrictEqual(c, { command: 'task.setvariable', properties: { variable: 'a;b', isoutput: 'true', issecret: 'false' }, message: 'line1\nline2 50%' });
  });
  it('finds the command after a prefix (timestamps) and lower-cases names', () => {
    const c = parseLoggingCommand('2024-01-01T00:00:00Z ##vso[Task.Complete result=Failed;]boom');
    assert.strictEqual(c?.command, 'task.complete');
    assert.strictEqual(c?.properties.result, 'Failed');
    assert.strictEqual(c?.message, 'boom');
  });
  it('ignores lines that are not commands', () => {
    assert.strictEqual(parseLoggingCommand('hello'), undefined);
    assert.strictEqual(parseLoggingCommand('##vso[broken'), undefined);
    assert.strictEqual(parseLoggingCommand('##vso[nodot]x'), undefined);
  });
});
