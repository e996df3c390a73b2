import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseJsonText, readJsonFile } from '../../../shared/core/json';
import { InputError, describeError } from '../../../shared/core/errors';

describe('core/json', () => {
  it('reports line and column of a syntax error', () => {
    const text = '{\n  "a": 1,\n  "b": 2,,\n}';
    assert.throws(() => parseJsonText(text, 'x.json'), (e: InputError) => {
      assert.equal(e.location?.file, 'x.json');
      assert.equal(e.location?.line, 3);
      assert.equal(e.location?.column, 10);
      assert.match(describeError(e), /^x\.json:3:10: Invalid JSON: /);
      return true;
    });
  });

  it('rejects comments and trailing commas (IoT Hub does too)', () => {
    assert.throws(() => parseJsonText('{"a":1 // c\n}', 'c.json'), /comments are not allowed|unexpected character/);
    assert.throws(() => parseJsonText('{"a":[1,2,]}', 't.json'), InputError);
  });

  it('maps a JSON pointer back to the line of its property', () => {
    const doc = parseJsonText('{\n  "modulesContent": {\n    "$edgeAgent": {"x": 1}\n  }\n}', 'd.json');
    assert.deepEqual(doc.locate('/modulesContent/$edgeAgent/x'), { file: 'd.json', field: '/modulesContent/$edgeAgent/x', line: 3, column: 20 });
    assert.deepEqual(doc.locate('/nope'), { file: 'd.json', field: '/nope' });
  });

  it('reads files with a BOM and names a missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-json-'));
    fs.writeFileSync(path.join(dir, 'bom.json'), '\ufeff{"ok":true}');
    assert.deepEqual(readJsonFile(path.join(dir, 'bom.json')).value, { ok: true });
    assert.throws(() => readJsonFile(path.join(dir, 'missing.json')), /File not found: .*missing\.json/);
    fs.rmSync(dir, { recursive: true });
  });
});
