import * as assert from 'assert';
import * as path from 'path';
import { connectionId, endpointEnv, loadConnections } from '../../../cli/pipeline/connections';
import { tempFiles } from './helpers';

describe('pipeline service connections', () => {
  it('turns a dockerregistry connection into the ENDPOINT_* variables task-lib reads', () => {
    const dir = tempFiles({ 'c.yml': 'reg:\n  type: dockerregistry\n  parameters:\n    registry: http://localhost:5000\n    username: bob\n    password: ${env:PW_FOR_TEST}\n' });
    const c = loadConnections(path.join(dir, 'c.yml'), { PW_FOR_TEST: 'pa55word' }).resolve('reg', 'dockerregistry', {});
    const id = connectionId('reg');
    assert.strictEqual(c.id, id);
    const env = endpointEnv(c);
    assert.strictEqual(env[`ENDPOINT_URL_${id}`], 'http://localhost:5000');
    assert.strictEqual(env[`ENDPOINT_AUTH_SCHEME_${id}`], 'UsernamePassword');
    assert.strictEqual(env[`ENDPOINT_AUTH_PARAMETER_${id}_PASSWORD`], 'pa55word');
    assert.strictEqual(env[`ENDPOINT_DATA_${id}_REGISTRYTYPE`], 'Others');
    assert.deepStrictEqual(JSON.parse(env[`ENDPOINT_AUTH_${id}`]), { scheme: 'UsernamePassword', parameters: { registry: 'http://localhost:5000', username: 'bob', password: 'pa55word' } });
  });

  it('reads JSON with line/column errors and the iothub form', () => {
    const dir = tempFiles({
      'c.json': '{ "hub": { "type": "iothub", "connectionString": "HostName=h1.azure-devices.net;SharedAccessKeyName=o;SharedAccessKey=abc=" } }',
      'bad.json': '{ "hub": { "type": "iothub", } }',
    });
    const c = loadConnections(path.join(dir, 'c.json')).resolve('HUB', undefined, {});
    assert.strictEqual(c.url, 'https://h1.azure-devices.net/');
    assert.strictEqual(c.data.iothubname, 'h1');
    assert.throws(() => loadConnections(path.join(dir, 'bad.json')), (e: Error & { location?: { line?: number } }) => /Invalid JSON/.test(e.message) && e.location?.line === 1);
  });

  it('explains what is missing for AzureRM, unknown names, wrong types and unset env vars', () => {
    const dir = tempFiles({ 'c.yml': 'azure:\n  type: azurerm\nreg:\n  type: dockerregistry\n  parameters: { registry: r }\nenvy:\n  type: generic\n  url: ${env:NOT_SET_ANYWHERE_X}\n' });
    const file = path.join(dir, 'c.yml');
    assert.throws(() => loadConnections(file, {}), /NOT_SET_ANYWHERE_X is not set/);
    const conns = loadConnections(file, { NOT_SET_ANYWHERE_X: 'http://x' });
    assert.throws(() => conns.resolve('azure', 'AzureRM', {}), /cannot be created locally.*tenantid, serviceprincipalid, serviceprincipalkey, data\.subscriptionId/);
    assert.throws(() => conns.resolve('nope', undefined, {}), /'nope' is not defined in .*c\.yml/);
    assert.throws(() => conns.resolve('reg', 'AzureRM', {}), /of type dockerregistry, the input expects AzureRM/);
  });
});
