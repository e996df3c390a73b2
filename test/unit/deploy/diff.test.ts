import { strict as assert } from 'assert';
import { buildDiff, renderDiffMarkdown, renderDiffText } from '../../../shared/deploy/preview';
import { HubDeployment } from '../../../shared/deploy/hub';
import { baseManifest, layeredManifest } from '../../integration/deploy/fixtures';

const dep = (id: string, doc: unknown, created: string, priority = 0): HubDeployment => {
  const d = doc as { modulesContent?: Record<string, unknown>; content?: { modulesContent: Record<string, unknown> } };
  return { id, content: { modulesContent: d.modulesContent ?? d.content!.modulesContent }, createdTimeUtc: created, priority };
};

describe('deploy: diff against what devices run now', () => {
  const v1 = dep('v1', baseManifest('1.0'), '2024-01-01T00:00:00Z');
  const layer = dep('extra', layeredManifest('1.0'), '2024-01-02T00:00:00Z', 5);

  it('groups devices by their winning deployments and lists image, env, createOptions, route and desired-property changes', () => {
    const m2 = baseManifest('2.0', { interval: 10 }) as any;
    const d = m2.modulesContent.$edgeAgent['properties.desired'];
    d.modules.sensor.settings.createOptions = '{"HostConfig":{"Privileged":true}}';
    d.modules.sensor.restartPolicy = 'on-failure';
    d.systemModules.edgeHub.settings.image = 'mcr.microsoft.com/azureiotedge-hub:1.5.1';
    m2.modulesContent.$edgeHub['properties.desired'].routes.up = 'FROM /messages/modules/sensor/* INTO $upstream';
    const r = buildDiff(dep('v2', m2, '9999'), [
      { deviceId: 'a', configurations: { v1: 'Applied', extra: 'Applied' } },
      { deviceId: 'b', configurations: { v1: 'Applied', extra: 'Applied' } },
      { deviceId: 'c', configurations: {} },
    ], [v1, layer]);
    assert.equal(r.groups.length, 2);
    const g = r.groups[0];
    assert.deepEqual([g.base, g.layers, g.deviceIds], ['v1', ['extra'], ['a', 'b']]);
    const has = (area: string, name: string, field: string) => g.items.find((i) => i.area === area && i.name === name && i.field === field);
    assert.equal(has('module', 'sensor', 'image')?.after, 'localhost:5000/sensor:2.0');
    assert.ok(has('module', 'sensor', 'createOptions'));
    assert.ok(has('module', 'sensor', 'env'));
    assert.equal(has('module', 'sensor', 'restartPolicy')?.before, 'always');
    assert.equal(has('system module', 'edgeHub', 'image')?.after, 'mcr.microsoft.com/azureiotedge-hub:1.5.1');
    assert.ok(has('route', 'up', ''));
    assert.equal(has('desired property', 'sensor.interval', '')?.after, '10');
    assert.ok(!g.items.some((i) => i.name === 'extra'), 'the layer still applies on top: no change for it');
    assert.ok(r.groups[1].items.every((i) => i.change === 'added'), 'a device without deployment gets everything new');
    const text = renderDiffText(r);
    assert.match(text, /~ module sensor image: localhost:5000\/sensor:1.0 → localhost:5000\/sensor:2.0/);
    assert.match(renderDiffMarkdown(r), /\| changed \| route \| up \|/);
  });

  it('createOptions split in chunks compare by their JSON value; equal content means no changes', () => {
    const same = baseManifest('1.0') as any;
    const s = same.modulesContent.$edgeAgent['properties.desired'].modules.sensor.settings;
    s.createOptions = '{"HostConfig":';
    s.createOptions01 = '{"Privileged":false}}';
    const r = buildDiff(dep('v1b', same, '9999'), [{ deviceId: 'a', configurations: { v1: 'Applied' } }], [v1]);
    assert.deepEqual(r.groups[0].items, []);
    assert.match(renderDiffText(r), /no changes/);
  });

  it('a new layered deployment is diffed as an addition on top of the current base', () => {
    const r = buildDiff(dep('extra2', layeredManifest('2.0'), '9999', 6), [{ deviceId: 'a', configurations: { v1: 'Applied', extra: 'Applied' } }], [v1, layer]);
    const items = r.groups[0].items;
    assert.deepEqual(items.map((i) => `${i.area}:${i.name}:${i.field}:${i.change}`), ['module:extra:image:changed']);
  });
});
