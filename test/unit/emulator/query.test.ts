import * as assert from 'assert';
import { HubError } from '../../../emulator/errors';
import { compileQuery, QuerySource } from '../../../emulator/query/run';
import { parseQuery } from '../../../emulator/query/parser';

type Row = Record<string, unknown>;

const devices: Row[] = [
  { deviceId: 'a', tags: { env: 'dev', ring: 1 }, capabilities: { iotEdge: true }, status: 'enabled', properties: { desired: { $version: 3 }, reported: { $version: 1 } }, configurations: { 'dep-1': { status: 'Applied' } } },
  { deviceId: 'b', tags: { env: 'prod', ring: 2 }, capabilities: { iotEdge: true }, status: 'enabled', properties: { desired: { $version: 1 }, reported: { $version: 1 } } },
  { deviceId: 'c', tags: { env: 'prod', ring: 3, nested: { x: null } }, capabilities: { iotEdge: false }, status: 'disabled', properties: { desired: { $version: 1 }, reported: { $version: 1 } } },
  { deviceId: "d'q", tags: {}, capabilities: { iotEdge: true }, status: 'enabled', properties: { desired: { $version: 1 }, reported: { $version: 1 } } },
];
const modules: Row[] = [
  { deviceId: 'a', moduleId: '$edgeAgent', properties: { desired: { $version: 4 }, reported: { lastDesiredVersion: 4, lastDesiredStatus: { code: 200 } } } },
  { deviceId: 'a', moduleId: '$edgeHub', properties: { desired: { $version: 2 }, reported: {} } },
  { deviceId: 'b', moduleId: '$edgeAgent', properties: { desired: { $version: 5 }, reported: { lastDesiredVersion: 4, lastDesiredStatus: { code: 200 } } } },
  { deviceId: 'b', moduleId: '$edgeHub', properties: { desired: { $version: 2 }, reported: {} } },
];
const source: QuerySource = { deviceTwins: () => devices, moduleTwins: () => modules, render: (r) => ({ ...r, rendered: true }) };

const run = (sql: string) => compileQuery(sql).run(source).rows as Row[];
const ids = (sql: string) => run(sql).map((r) => (r.moduleId ? `${r.deviceId}/${r.moduleId}` : r.deviceId));

function rejects400(sql: string, pattern: RegExp): void {
  assert.throws(() => compileQuery(sql), (e: unknown) => e instanceof HubError && e.status === 400 && pattern.test(e.message));
}

describe('emulator query language', () => {
  it('SELECT * renders full twins with item type Twin', () => {
    const r = compileQuery('SELECT * FROM devices').run(source);
    assert.strictEqual(r.itemType, 'Twin');
    assert.strictEqual(r.rows.length, 4);
    assert.strictEqual((r.rows[0] as Row).rendered, true);
  });

  it('filters with =, !=, <>, <, >, <=, >= on strings and numbers', () => {
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.env = 'prod'"), ['b', 'c']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.env != 'prod'"), ['a']); // d has no env: unknown, not a match
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.env <> 'dev'"), ['b', 'c']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE tags.ring < 2'), ['a']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE tags.ring >= 2'), ['b', 'c']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE tags.ring <= 2 AND tags.ring > 1'), ['b']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.ring = '1'"), [], 'no cross-type equality');
  });

  it('AND / OR / NOT with parentheses and three-valued logic', () => {
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE (tags.env = 'dev' OR tags.ring = 3) AND capabilities.iotEdge = true"), ['a']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE NOT tags.env = 'dev'"), ['b', 'c']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE NOT (tags.env = 'dev' OR status = 'disabled')"), ['b']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.missing = 1 OR deviceId = 'a'"), ['a']);
  });

  it('IN, NIN / NOT IN, IS_DEFINED, IS_NULL, STARTSWITH', () => {
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE deviceId IN ['a', 'c']"), ['a', 'c']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.env NOT IN ['dev']"), ['b', 'c']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE tags.env NIN ['prod']"), ['a']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE IS_DEFINED(tags.env)'), ['a', 'b', 'c']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE NOT IS_DEFINED(tags.env)'), ["d'q"]);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE IS_NULL(tags.nested.x)'), ['c']);
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE STARTSWITH(deviceId, 'd')"), ["d'q"]);
  });

  it('string literals in single or double quotes, doubled quote escapes; booleans and null', () => {
    assert.deepStrictEqual(ids(`SELECT * FROM devices WHERE deviceId = 'd''q'`), ["d'q"]);
    assert.deepStrictEqual(ids(`SELECT * FROM devices WHERE deviceId = "a"`), ['a']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE capabilities.iotEdge = false'), ['c']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE tags.nested.x = null'), ['c']);
    assert.deepStrictEqual(ids('SELECT * FROM devices WHERE tags.env != null'), ['a', 'b', 'c']);
  });

  it('configurations.[[id]].status and path-to-path comparison on devices.modules', () => {
    assert.deepStrictEqual(ids("SELECT * FROM devices WHERE configurations.[[dep-1]].status = 'Applied'"), ['a']);
    assert.deepStrictEqual(
      ids("SELECT deviceId, moduleId FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.desired.$version = properties.reported.lastDesiredVersion AND properties.reported.lastDesiredStatus.code = 200"),
      ['a/$edgeAgent'],
    );
  });

  it('projections name columns by alias or last path segment and omit undefined values', () => {
    assert.deepStrictEqual(run("SELECT deviceId, tags.env AS environment, tags.ring FROM devices WHERE deviceId IN ['a', 'd''q']"), [
      { deviceId: 'a', environment: 'dev', ring: 1 },
      { deviceId: "d'q" },
    ]);
    assert.strictEqual(compileQuery('SELECT deviceId FROM devices').run(source).itemType, 'JSON');
  });

  it('COUNT() with and without alias, and GROUP BY', () => {
    assert.deepStrictEqual(run('SELECT COUNT() AS total FROM devices WHERE capabilities.iotEdge = true'), [{ total: 3 }]);
    assert.deepStrictEqual(run("SELECT COUNT() FROM devices.modules WHERE moduleId = '$edgeHub'"), [{ $1: 2 }]);
    const grouped = run('SELECT tags.env, COUNT() AS n FROM devices GROUP BY tags.env');
    assert.deepStrictEqual(grouped, [{ env: 'dev', n: 1 }, { env: 'prod', n: 2 }, { n: 1 }]);
    assert.deepStrictEqual(run('SELECT properties.reported.lastDesiredStatus.code AS code, COUNT() AS n FROM devices.modules GROUP BY properties.reported.lastDesiredStatus.code'), [{ code: 200, n: 2 }, { n: 2 }]);
  });

  it('keywords are case-insensitive; TOP limits rows', () => {
    assert.deepStrictEqual(ids("select * from DEVICES where tags.env = 'prod'"), ['b', 'c']);
    assert.deepStrictEqual(ids('SELECT TOP 2 * FROM devices'), ['a', 'b']);
  });

  it('rejects unsupported syntax with 400 naming it', () => {
    rejects400('SELECT * FROM devices ORDER BY deviceId', /ORDER/);
    rejects400('SELECT * FROM devices.jobs', /devices\.jobs/);
    rejects400('SELECT * FROM things', /collection 'things'/);
    rejects400('SELECT MAX(tags.ring) FROM devices', /MAX/);
    rejects400('SELECT * FROM devices WHERE FOO(deviceId)', /FOO/);
    rejects400("SELECT * FROM devices WHERE tags.x LIKE 'a%'", /LIKE/);
    rejects400('SELECT deviceId, COUNT() FROM devices', /GROUP BY/);
    rejects400('SELECT deviceId FROM devices GROUP BY tags.env', /grouped/);
  });

  it('reports syntax errors with a position', () => {
    rejects400("SELECT * FROM devices WHERE deviceId = 'a", /unterminated string/);
    rejects400('SELECT * FROM devices WHERE deviceId =', /position \d+/);
    rejects400('SELECT * devices', /expected FROM/);
    rejects400('', /empty/);
  });

  it('parses a configuration target condition on its own', () => {
    const q = parseQuery("SELECT * FROM devices WHERE tags.env='dev' AND tags.ring IN [1,2]");
    assert.strictEqual(q.from, 'devices');
    assert.strictEqual(q.where?.k, 'and');
  });
});
