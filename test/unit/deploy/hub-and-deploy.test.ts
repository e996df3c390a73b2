import { strict as assert } from 'assert';
import * as sinon from 'sinon';
import type { Registry } from 'azure-iothub';
import { MemoryLogger } from '../../../shared/core/logger';
import { EdgeOpsError } from '../../../shared/core/errors';
import { DeployHub, HubDeployment, registryHub } from '../../../shared/deploy/hub';
import { bridgeId, deploy, DeployOptions } from '../../../shared/deploy/deploy';
import { applyRetention } from '../../../shared/deploy/retention';
import { rollbackDeployment } from '../../../shared/deploy/rollback';
import { baseManifest } from '../../integration/deploy/fixtures';

const httpError = (statusCode: number, body = '{"Message":"ErrorCode:X;boom"}', headers: Record<string, string> = {}) =>
  Object.assign(new Error('http'), { response: { statusCode, headers }, responseBody: body });

describe('deploy: hub adapter (sinon fake Registry)', () => {
  const retry = { baseDelayMs: 1, maxDelayMs: 2 };

  it('retries 429/5xx (honoring Retry-After) and treats 409 on create after a retry as "exists"', async () => {
    const add = sinon.stub();
    add.onCall(0).rejects(httpError(503));
    add.onCall(1).rejects(httpError(429, '{}', { 'retry-after': '0' }));
    add.onCall(2).rejects(httpError(409));
    const hub = registryHub({ addConfiguration: add } as unknown as Registry, 'h', { retry });
    assert.equal(await hub.addDeployment({ id: 'x' }), 'exists');
    assert.equal(add.callCount, 3);
  });

  it('remove: 404 is "absent"; 400 is not retried and carries the hub message; 401 names the auth mode', async () => {
    const remove = sinon.stub().rejects(httpError(404));
    const hub = registryHub({ removeConfiguration: remove, createQuery: () => ({ next: sinon.stub().rejects(httpError(400, '{"Message":"ErrorCode:ArgumentInvalid;Syntax error at 7"}')) }), getConfigurations: sinon.stub().rejects(httpError(401)) } as unknown as Registry, 'h.azure-devices.net', { retry, auth: 'managed identity' });
    assert.equal(await hub.removeDeployment('x'), 'absent');
    await assert.rejects(hub.query('SELECT'), (e: EdgeOpsError) => e.code === 'HubBadRequest' && /ErrorCode:ArgumentInvalid;Syntax error at 7/.test(e.message));
    await assert.rejects(hub.listDeployments(), (e: EdgeOpsError) => e.code === 'HubUnauthorized' && /with managed identity/.test(e.message) && /h\.azure-devices\.net/.test(e.message));
  });

  it('query follows continuation tokens, retrying a page with its own token', async () => {
    const next = sinon.stub();
    next.onCall(0).resolves({ result: [{ deviceId: 'a' }], message: { headers: { 'x-ms-continuation': 't1' } } });
    next.onCall(1).rejects(httpError(500));
    next.onCall(2).resolves({ result: [{ deviceId: 'b' }], message: { headers: {} } });
    const hub = registryHub({ createQuery: () => ({ next }) } as unknown as Registry, 'h', { retry });
    assert.deepEqual((await hub.query('q')).map((r) => r.deviceId), ['a', 'b']);
    assert.deepEqual(next.args.map((a) => a[0]), [undefined, 't1', 't1']);
  });
});

/** An in-memory DeployHub recording the order of writes. */
function fakeHub(initial: HubDeployment[] = [], devices: { deviceId: string; configurations: Record<string, { status: string }> }[] = []) {
  const deps = new Map(initial.map((d) => [d.id, d]));
  const writes: string[] = [];
  let t = 0;
  const hub: DeployHub & { deps: typeof deps; writes: string[]; failOn?: string } = {
    hostName: 'fake', deps, writes,
    getDeployment: async (id) => deps.get(id),
    listDeployments: async () => [...deps.values()],
    addDeployment: async (d) => {
      if (hub.failOn === `add ${d.id}`) throw new EdgeOpsError('HubError', 'injected');
      writes.push(`add ${d.id}`);
      if (deps.has(d.id)) return 'exists';
      deps.set(d.id, { ...d, createdTimeUtc: `2024-01-01T00:00:${String(++t).padStart(2, '0')}Z` });
      return 'created';
    },
    updateDeployment: async (d) => { writes.push(`update ${d.id}`); deps.set(d.id, d); },
    removeDeployment: async (id) => {
      if (hub.failOn === `remove ${id}`) throw new EdgeOpsError('HubError', 'injected');
      writes.push(`remove ${id}`); return deps.delete(id) ? 'removed' : 'absent';
    },
    applyContentOnDevice: async (id) => { writes.push(`apply ${id}`); },
    query: async (sql) => {
      const m = /configurations\.\[\[(.+)\]\]\.status = 'Applied'/.exec(sql);
      if (m) return devices.filter((d) => d.configurations[m[1]]?.status === 'Applied').map((d) => ({ deviceId: d.deviceId }));
      return devices.map((d) => ({ deviceId: d.deviceId, configurations: d.configurations }));
    },
  };
  return hub;
}

const content = (tag: string) => ({ modulesContent: (baseManifest(tag, { password: 'pw' }) as { modulesContent: Record<string, unknown> }).modulesContent });
const opts = (hub: DeployHub, over: Partial<DeployOptions> = {}): DeployOptions => ({
  hub, logger: new MemoryLogger(), id: 'app-2', series: 'app', content: content('2'), layered: false, target: { kind: 'condition', condition: "tags.env='dev'" },
  priority: 1, labels: { 'edgeops.series': 'app' }, keep: 0, ...over,
});
const existing = (id: string, tag: string, created: string, series = 'app'): HubDeployment =>
  ({ id, content: content(tag), targetCondition: "tags.env='dev'", priority: 1, labels: { 'edgeops.series': series }, createdTimeUtc: created });

describe('deploy: orchestration rules (fake hub)', () => {
  const devs = [{ deviceId: 'a', configurations: { 'app-1': { status: 'Applied' } } }];

  it('a create whose reply was lost (409 with our exact definition) counts as created; another definition is a conflict', async () => {
    const hub = fakeHub([], devs);
    const add = hub.addDeployment;
    hub.addDeployment = async (d) => { await add(d); return 'exists'; }; // the create landed, the reply said 409
    assert.equal((await deploy(opts(hub))).action, 'created');
    const other = fakeHub([], devs);
    other.addDeployment = async (d) => { await add({ ...d, id: 'ignored' }); other.deps.set(d.id, { ...d, priority: 99 }); return 'exists'; };
    await assert.rejects(deploy(opts(other)), (e: EdgeOpsError) => e.code === 'DeploymentConflict');
  });

  it('replace creates the new content before removing the old, and a failure midway removes nothing serving devices', async () => {
    const hub = fakeHub([existing('app-2', '1', '2024-01-01T00:00:00Z')], devs);
    assert.equal((await deploy(opts(hub, { replace: true }))).action, 'replaced');
    assert.deepEqual(hub.writes, [`add ${bridgeId('app-2')}`, 'remove app-2', 'add app-2', `remove ${bridgeId('app-2')}`]);
    assert.deepEqual([...hub.deps.keys()], ['app-2']);

    const failing = fakeHub([existing('app-2', '1', '2024-01-01T00:00:00Z')], devs);
    failing.failOn = `add ${bridgeId('app-2')}`;
    await assert.rejects(deploy(opts(failing, { replace: true })), /injected/);
    assert.deepEqual(failing.writes, [], 'old deployment untouched');
    // Interrupted after the old one went: the bridge serves; a re-run restores the id, then drops the bridge.
    const half = fakeHub([{ ...existing(bridgeId('app-2'), '2', '2024-01-01T00:00:05Z'), labels: { 'edgeops.bridgeFor': 'app-2' } }], devs);
    assert.equal((await deploy(opts(half))).action, 'created');
    assert.deepEqual(half.writes, ['add app-2', `remove ${bridgeId('app-2')}`]);
  });

  it('retention keeps the newest N of the series and anything still applied; never touches other series', async () => {
    const hub = fakeHub([
      existing('app-1', '1', '2024-01-01T00:00:01Z'), existing('app-0', '0', '2024-01-01T00:00:00Z'),
      existing('old-x', '0', '2023-01-01T00:00:00Z', 'other'), existing('app-2', '2', '2024-01-01T00:00:02Z'), existing('app-3', '3', '2024-01-01T00:00:03Z'),
    ], devs);
    const r = await applyRetention(hub, { series: 'app', keep: 2, currentId: 'app-3', logger: new MemoryLogger() });
    assert.deepEqual(r.removed, ['app-0']);
    assert.deepEqual(r.kept.map((k) => k.id), ['app-1']);
    assert.ok(hub.deps.has('old-x'));
  });

  it('rollback refuses when there is nothing earlier; retarget keeps the deployment with a no-device condition', async () => {
    const only = fakeHub([existing('app-1', '1', '2024-01-01T00:00:01Z')], devs);
    await assert.rejects(rollbackDeployment({ hub: only, logger: new MemoryLogger(), id: 'app-1' }), (e: EdgeOpsError) => e.code === 'NoPreviousDeployment');
    assert.deepEqual(only.writes, []);
    const two = fakeHub([existing('app-1', '1', '2024-01-01T00:00:01Z'), existing('app-2', '2', '2024-01-01T00:00:02Z')], devs);
    const r = await rollbackDeployment({ hub: two, logger: new MemoryLogger(), id: 'app-2', mode: 'retarget' });
    assert.equal(r.action, 'retargeted');
    assert.equal(r.restored?.id, 'app-1');
    assert.match(two.deps.get('app-2')!.targetCondition!, /edgeops-rolled-back/);
    const again = await rollbackDeployment({ hub: two, logger: new MemoryLogger(), id: 'app-2' });
    assert.equal(again.action, 'already-rolled-back');
  });

  it('non-integer priority and apply-content for a condition are input errors', async () => {
    await assert.rejects(deploy(opts(fakeHub([], devs), { priority: 1.5 })), /Priority must be a non-negative integer/);
    await assert.rejects(deploy(opts(fakeHub([], devs), { applyToDevice: true })), /one device/);
  });
});
