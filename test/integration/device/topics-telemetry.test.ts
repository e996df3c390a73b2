import * as assert from 'assert';
import { inputTargets } from '../../../emulator/device/routing';
import { TelemetryStore } from '../../../emulator/device/telemetry';
import { parseDevicePublish, parseUsername, subscriptionKind } from '../../../emulator/device/topics';

/** Pure parts of the device side: user names, topics, routes, the bounded telemetry store. */
describe('hub emulator device side: topic contract and telemetry store', () => {
  it('parses CONNECT user names as the SDKs write them', () => {
    assert.deepStrictEqual(parseUsername('127.0.0.1:8443/dev-1/?api-version=2020-09-30&DeviceClientType=x'), { host: '127.0.0.1:8443', deviceId: 'dev-1', moduleId: undefined });
    assert.deepStrictEqual(parseUsername('h/dev-1/$edgeAgent/?api-version=2018-06-30'), { host: 'h', deviceId: 'dev-1', moduleId: '$edgeAgent' });
    assert.deepStrictEqual(parseUsername('h/dev-1/api-version=2018-06-30'), { host: 'h', deviceId: 'dev-1', moduleId: undefined });
    assert.strictEqual(parseUsername('h/dev-1'), undefined);
    assert.strictEqual(parseUsername('h/a/b/c/?api-version=1'), undefined);
    assert.strictEqual(parseUsername(undefined), undefined);
  });

  it('classifies device publishes', () => {
    assert.deepStrictEqual(parseDevicePublish('$iothub/twin/GET/?$rid=7'), { kind: 'twinGet', rid: '7' });
    assert.deepStrictEqual(parseDevicePublish('$iothub/twin/PATCH/properties/reported/?$rid=8&$version=3'), { kind: 'twinReported', rid: '8' });
    assert.deepStrictEqual(parseDevicePublish('$iothub/methods/res/404/?$rid=a1'), { kind: 'methodResponse', rid: 'a1', status: 404 });
    assert.deepStrictEqual(parseDevicePublish('devices/d/messages/events/a=1&%24.mid=x/'), { kind: 'telemetry', deviceId: 'd', moduleId: undefined, properties: { a: '1', '$.mid': 'x' } });
    assert.deepStrictEqual(parseDevicePublish('devices/d/modules/m/messages/events/'), { kind: 'telemetry', deviceId: 'd', moduleId: 'm', properties: {} });
    assert.strictEqual(parseDevicePublish('$iothub/twin/GET/').kind, 'unknown');
    assert.strictEqual(parseDevicePublish('devices/d/messages/devicebound/x').kind, 'unknown');
    assert.strictEqual(parseDevicePublish('other/topic').kind, 'unknown');
  });

  it('allows only an identity\'s own subscriptions', () => {
    assert.strictEqual(subscriptionKind('$iothub/methods/POST/#', { deviceId: 'd' }), 'methods');
    assert.strictEqual(subscriptionKind('devices/d/messages/devicebound/#', { deviceId: 'd' }), 'c2d');
    assert.strictEqual(subscriptionKind('devices/other/messages/devicebound/#', { deviceId: 'd' }), undefined);
    assert.strictEqual(subscriptionKind('devices/d/modules/m/inputs/#', { deviceId: 'd', moduleId: 'm' }), 'inputs');
    assert.strictEqual(subscriptionKind('#', { deviceId: 'd' }), undefined);
  });

  it('routes module outputs to inputs from $edgeHub routes (1.0 strings and 1.1 objects)', () => {
    const desired = { routes: {
      a: 'FROM /messages/modules/sensor/outputs/temp INTO BrokeredEndpoint("/modules/filter/inputs/in1")',
      b: { route: 'FROM /messages/modules/sensor/* INTO BrokeredEndpoint("/modules/logger/inputs/all")', priority: 0 },
      c: 'FROM /messages/* INTO $upstream',
      d: 'FROM /messages/modules/sensor/outputs/temp WHERE $body.t > 3 INTO BrokeredEndpoint("/modules/x/inputs/y")',
    } };
    assert.deepStrictEqual(inputTargets(desired, 'sensor', 'temp'), [{ moduleId: 'filter', inputName: 'in1' }, { moduleId: 'logger', inputName: 'all' }]);
    assert.deepStrictEqual(inputTargets(desired, 'sensor', 'other'), [{ moduleId: 'logger', inputName: 'all' }]);
    assert.deepStrictEqual(inputTargets(desired, 'filter', 'temp'), []);
  });

  it('keeps a bounded ring per identity and counts past it', () => {
    const s = new TelemetryStore({ perIdentity: 3, maxBodyBytes: 16 });
    const t0 = Date.parse('2024-01-01T00:00:00Z');
    for (let i = 0; i < 5; i++) s.add('d', 'm', Buffer.from(`msg-${i}`), {}, new Date(t0 + i * 1000));
    s.add('d', undefined, Buffer.from('x'.repeat(40)), { '$.on': 'o' }, new Date(t0));
    const kept = s.messages({ deviceId: 'd', moduleId: 'm' });
    assert.deepStrictEqual(kept.map((m) => m.body), ['msg-2', 'msg-3', 'msg-4']);
    assert.deepStrictEqual(s.messages({ deviceId: 'd', moduleId: 'm', limit: 1 }).map((m) => m.body), ['msg-4']);
    const [row] = s.summary({ moduleId: 'm', since: new Date(t0 + 3000).toISOString() });
    assert.strictEqual(row.total, 5);
    assert.strictEqual(row.countSince, 2);
    assert.strictEqual(s.summary({ since: new Date(t0 + 10_000).toISOString() }).length, 0);
    const [dev] = s.messages({ deviceId: 'd', moduleId: undefined }).filter((m) => m.moduleId === undefined);
    assert.strictEqual(dev.truncated, true);
    assert.strictEqual(dev.body.length, 16);
    s.add('d', undefined, Buffer.from([0xff, 0xfe]), {});
    assert.strictEqual(s.messages({ deviceId: 'd' }).pop()!.bodyEncoding, 'base64');
  });
});
