import { strict as assert } from 'assert';
import {
  agentQuery, evaluateDevice, evaluateGate, expectedModules, idChunks, imageMatches, parseImage, parseThreshold, RestartTracker, smokeJUnit, smokeMarkdown,
  toAgentRow, AgentRow, DeviceRow, EvalContext, SmokeReport, PassRule,
} from '../../../shared/smoke';
import { InputError } from '../../../shared/core/errors';

const deployment = {
  id: 'rel-7',
  content: {
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          systemModules: { edgeAgent: { settings: { image: 'agent:1.5' } }, edgeHub: { settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } } },
          modules: { sensor: { status: 'running', settings: { image: 'localhost:5000/sensor:2.0' } }, backup: { status: 'stopped', settings: { image: 'backup@sha256:' + 'a'.repeat(64) } } },
        },
      },
    },
  },
};

describe('smoke: images', () => {
  it('normalizes registry, library, latest', () => {
    assert.deepEqual(parseImage('sensor'), { name: 'docker.io/library/sensor', tag: 'latest', digest: undefined });
    assert.deepEqual(parseImage('localhost:5000/a/b:1'), { name: 'localhost:5000/a/b', tag: '1', digest: undefined });
    assert.ok(imageMatches('docker.io/library/redis:7', 'redis:7'));
    assert.ok(imageMatches('redis', 'index.docker.io/library/redis:latest'));
    assert.ok(!imageMatches('redis:7', 'redis:7.2'));
    assert.ok(!imageMatches('acr.io/sensor:1', 'other.io/sensor:1'));
  });
  it('a digest pins the image regardless of tag', () => {
    const d = 'sha256:' + 'b'.repeat(64);
    assert.ok(imageMatches(`acr.io/s@${d}`, `acr.io/s:2.0@${d}`));
    assert.ok(!imageMatches(`acr.io/s@${d}`, 'acr.io/s:2.0'));
    assert.ok(!imageMatches('acr.io/s:2.0', undefined));
  });
});

describe('smoke: expected modules', () => {
  it('reads modules and edgeHub (not edgeAgent), desired status, layered keys', () => {
    assert.deepEqual(expectedModules(deployment as never).map((m) => [m.name, m.system, m.runtimeStatus]), [['edgeHub', true, 'running'], ['backup', false, 'stopped'], ['sensor', false, 'running']]);
    const layered = expectedModules({ id: 'l', content: { modulesContent: { $edgeAgent: { 'properties.desired.modules.extra': { settings: { image: 'extra:1' } } } } } } as never);
    assert.deepEqual(layered.map((m) => [m.name, m.image]), [['edgeHub', undefined], ['extra', 'extra:1']]);
  });
});

describe('smoke: pass rule', () => {
  const rule = (r: Partial<PassRule>): PassRule => ({ threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline: 'fail', ...r });
  it('parses thresholds and rejects nonsense with the field name', () => {
    assert.deepEqual(parseThreshold('90%'), { kind: 'percent', value: 90 });
    assert.deepEqual(parseThreshold(' 12 '), { kind: 'count', value: 12 });
    assert.throws(() => parseThreshold('0%'), InputError);
    assert.throws(() => parseThreshold('150%'), /threshold must be a percentage from 0/);
    assert.throws(() => parseThreshold('0'), /like "90%" or a device count/);
  });
  it('percent with offline counted or excluded; count; max failures; min devices; zero devices never pass', () => {
    const c = { targeted: 10, passed: 9, failed: 0, offline: 1 };
    assert.equal(evaluateGate(c, rule({ threshold: { kind: 'percent', value: 90 } })).passed, true);
    assert.equal(evaluateGate(c, rule({})).passed, false);
    assert.equal(evaluateGate(c, rule({ offline: 'exclude' })).passed, true);
    assert.equal(evaluateGate(c, rule({ threshold: { kind: 'count', value: 9 }, maxFailures: 0 })).passed, false);
    assert.equal(evaluateGate(c, rule({ threshold: { kind: 'count', value: 9 }, maxFailures: 0, offline: 'exclude' })).passed, true);
    assert.match(evaluateGate(c, rule({ minDevices: 11 })).reasons.join(), /10 device\(s\) targeted, at least 11 required/);
    assert.equal(evaluateGate({ targeted: 0, passed: 0, failed: 0, offline: 0 }, rule({ minDevices: 0 })).passed, false);
    assert.equal(evaluateGate({ targeted: 3, passed: 0, failed: 0, offline: 3 }, rule({ offline: 'exclude', threshold: { kind: 'percent', value: 50 } })).passed, false);
  });
});

describe('smoke: restart stability', () => {
  it('stable after the window, flapping while the count rises, a reset is a new baseline', () => {
    const t = new RestartTracker(1000);
    assert.equal(t.isStable(t.observe('a', 2, 0)), false);
    assert.equal(t.isStable(t.observe('a', 2, 1000)), true);
    const rose = t.observe('a', 3, 1500);
    assert.deepEqual(rose.rose, { from: 2, to: 3, at: 1500 });
    assert.deepEqual(t.observe('a', 5, 1800).rose, { from: 2, to: 5, at: 1800 }, 'one flapping episode keeps its start');
    assert.equal(t.isStable(t.observe('a', 5, 2700)), false);
    assert.equal(t.isStable(t.observe('a', 5, 2800)), true);
    assert.equal(t.observe('a', 0, 2900).rose, undefined, 'count reset (agent restart) is not a rise');
  });
});

describe('smoke: device evaluation', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const ctx = (over: Partial<EvalContext> = {}): EvalContext => ({ deploymentId: 'rel-7', expected: expectedModules(deployment as never), now, tracker: new RestartTracker(0), stabilityMs: 0, activityWindowMs: 0, ...over });
  const dev = (over: Partial<DeviceRow> = {}): DeviceRow => ({ deviceId: 'd1', exists: true, status: 'enabled', iotEdge: true, connectionState: 'Connected', lastActivityTime: '2026-01-01T00:09:00Z', configStatus: 'Applied', ...over });
  const running = (image: string, restartCount = 0) => ({ runtimeStatus: 'running', restartCount, settings: { image } });
  const agent = (over: Partial<AgentRow['reported']> = {}, desiredVersion = 4): AgentRow => ({
    deviceId: 'd1', desiredVersion,
    reported: {
      lastDesiredVersion: 4, lastDesiredStatus: { code: 200 },
      systemModules: { edgeHub: running('mcr.microsoft.com/azureiotedge-hub:1.5') },
      modules: { sensor: running('localhost:5000/sensor:2.0'), backup: { runtimeStatus: 'stopped', settings: { image: 'backup@sha256:' + 'a'.repeat(64) } } },
      ...over,
    },
  });
  const backupOk = { runtimeStatus: 'stopped', settings: { image: 'backup@sha256:' + 'a'.repeat(64) } };
  const fail = (r: ReturnType<typeof evaluateDevice>) => r.checks.find((c) => !c.ok && !c.skipped)!;

  it('passes when everything is in place', () => {
    const r = evaluateDevice(ctx(), dev(), agent());
    assert.equal(r.state, 'passed');
    assert.deepEqual(r.checks.map((c) => c.name), ['available', 'connected', 'manifestApplied', 'modulesOnline']);
  });
  it('offline: disconnected and never reported this version; disconnected after applying is a failure', () => {
    const off = evaluateDevice(ctx(), dev({ connectionState: 'Disconnected', lastActivityTime: '0001-01-01T00:00:00Z' }), agent({ lastDesiredVersion: 3 }));
    assert.equal(off.state, 'offline');
    assert.match(off.reason!, /^offline: Disconnected \(last activity never\), never reported deployment rel-7$/);
    assert.deepEqual(off.checks.filter((c) => c.skipped).map((c) => c.name), ['manifestApplied', 'modulesOnline']);
    const gone = evaluateDevice(ctx(), dev({ connectionState: 'Disconnected' }), agent());
    assert.equal(gone.state, 'failed');
    assert.match(gone.reason!, /Disconnected \(last activity 60 s ago\) after applying the deployment/);
    assert.equal(evaluateDevice(ctx(), dev({ connectionState: 'Disconnected' }), { ...agent(), connectionState: 'Connected' }).state, 'passed', 'a connected $edgeAgent counts');
  });
  it('stale activity and a failed ping fail "connected"', () => {
    assert.match(evaluateDevice(ctx({ activityWindowMs: 30_000 }), dev(), agent()).reason!, /Connected, but last activity 60 s ago \(more than 30 s\)/);
    assert.match(evaluateDevice(ctx({ pings: new Map([['d1', { ok: false, message: '$edgeAgent.ping: 504 timeout' }]]) }), dev(), agent()).reason!, /\$edgeAgent ping failed: .*504 timeout/);
  });
  it('manifest: Targeted, old version, rejected', () => {
    assert.match(evaluateDevice(ctx(), dev({ configStatus: 'Targeted' }), undefined).reason!, /Targeted, not Applied \(a deployment with higher priority wins/);
    assert.match(evaluateDevice(ctx(), dev(), agent({ lastDesiredVersion: 3 })).reason!, /has not applied desired version 4 \(reported lastDesiredVersion 3: old manifest still applied\)/);
    const rejected = evaluateDevice(ctx(), dev(), agent({ lastDesiredStatus: { code: 417, description: 'no configuration' } }));
    assert.equal(fail(rejected).name, 'manifestApplied');
    assert.equal(rejected.reason, 'lastDesiredStatus 417: no configuration');
    assert.match(fail(rejected).details!, /"lastDesiredVersion":4/);
  });
  it('modules: missing, wrong status, wrong image, stopped as desired, flapping; details carry the reported status', () => {
    const missing = evaluateDevice(ctx(), dev(), agent({ modules: { backup: backupOk } }));
    assert.match(missing.reason!, /^sensor: not reported by \$edgeAgent/);
    const crash = evaluateDevice(ctx(), dev(), agent({ modules: { backup: backupOk, sensor: { runtimeStatus: 'failed', exitCode: 2, statusDescription: 'bad config' } } }));
    assert.equal(crash.reason, 'sensor: runtimeStatus failed (exit code 2): bad config, expected running');
    assert.match(fail(crash).details!, /"sensor":\{"runtimeStatus":"failed"/);
    const wrong = evaluateDevice(ctx(), dev(), agent({ modules: { backup: backupOk, sensor: running('localhost:5000/sensor:1.0') } }));
    assert.equal(wrong.reason, 'sensor: runs localhost:5000/sensor:1.0, expected localhost:5000/sensor:2.0');
    const hub = evaluateDevice(ctx(), dev(), agent({ systemModules: { edgeHub: { runtimeStatus: 'backoff' } } }));
    assert.match(hub.reason!, /^edgeHub: runtimeStatus backoff/);
    const t = new RestartTracker(10_000);
    evaluateDevice(ctx({ tracker: t, stabilityMs: 10_000, now }), dev(), agent());
    const waiting = evaluateDevice(ctx({ tracker: t, stabilityMs: 10_000, now: now + 4000 }), dev(), agent());
    assert.match(waiting.reason!, /sensor: restartCount 0 flat for 4 s of the 10 s stability window/);
    const flap = evaluateDevice(ctx({ tracker: t, stabilityMs: 10_000, now: now + 6000 }), dev(), agent({ modules: { backup: backupOk, sensor: running('localhost:5000/sensor:2.0', 3) } }));
    assert.match(flap.reason!, /sensor: restartCount rose from 0 to 3 within the 10 s stability window \(flapping\)/);
  });
  it('identity problems fail "available" and skip the rest', () => {
    assert.equal(evaluateDevice(ctx(), { deviceId: 'x', exists: false }, undefined).reason, 'device identity does not exist');
    const dis = evaluateDevice(ctx(), dev({ status: 'disabled', statusReason: 'stolen' }), agent());
    assert.equal(dis.reason, 'identity is disabled (stolen)');
    assert.equal(dis.checks.filter((c) => c.skipped === 'identity not available').length, 3);
  });
});

describe('smoke: queries and rows', () => {
  it('device lists are split so each query stays short', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `device-with-a-long-name-${i}`);
    const chunks = idChunks(ids);
    assert.ok(chunks.length > 1);
    assert.deepEqual(chunks.flat(), ids);
    for (const c of chunks) assert.ok(c.join("', '").length < 6500);
  });
  it('the $edgeAgent query is the hub\'s own appliedCount condition; rows parse flat or nested', () => {
    assert.match(agentQuery('rel-7'), /FROM devices\.modules WHERE moduleId = '\$edgeAgent' AND configurations\.\[\[rel-7\]\]\.status = 'Applied'$/);
    assert.deepEqual(toAgentRow({ deviceId: 'a', $version: 3, lastDesiredVersion: 3, modules: {} }).reported?.lastDesiredVersion, 3);
    assert.equal(toAgentRow({ deviceId: 'a', properties: { desired: { $version: 5 }, reported: { lastDesiredVersion: 5 } } }).desiredVersion, 5);
  });
});

describe('smoke: evidence', () => {
  const report = (offline: 'fail' | 'exclude'): SmokeReport => ({
    deploymentId: 'rel-7', hostName: 'hub.azure-devices.net', startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1234, polls: 2, requests: 5, retries: 1, timedOut: true,
    counts: { targeted: 2, passed: 0, failed: 1, offline: 1 },
    rule: { threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline },
    verdict: { passed: false, reasons: ['0 of 2 device(s) passed (0.0%), below the 100% threshold'], denominator: 2, failures: 2, passPercent: 0 },
    devices: [
      { deviceId: 'a|<b>', state: 'failed', reason: 'sensor: runs x, expected <y>', checks: [{ name: 'available', ok: true }, { name: 'connected', ok: true }, { name: 'manifestApplied', ok: true }, { name: 'modulesOnline', ok: false, message: 'sensor: runs x, expected <y>', details: '{"sensor":{"image":"x"}}' }] },
      { deviceId: 'c', state: 'offline', reason: 'offline: Disconnected', checks: [{ name: 'available', ok: true }, { name: 'connected', ok: false, message: 'offline: Disconnected' }, { name: 'manifestApplied', ok: false, skipped: 'device offline' }] },
    ],
  });
  it('JUnit: a case per device and check, escaped failure text with the reported status; excluded offline devices are skipped', () => {
    const xml = smokeJUnit(report('fail'));
    assert.match(xml, /<testsuite name="IoT Edge smoke test rel-7" tests="7" failures="2" errors="0" skipped="1"/);
    assert.match(xml, /<testcase classname="a\|&lt;b&gt;" name="modules online" time="0\.000">\s*<failure message="sensor: runs x, expected &lt;y&gt;">sensor: runs x, expected &lt;y&gt;\nreported: \{&quot;sensor&quot;/);
    const ex = smokeJUnit(report('exclude'));
    assert.match(ex, /classname="c" name="connected"[^>]*>\s*<skipped message="offline: Disconnected \(excluded from the pass rule\)"/);
    assert.match(ex, /failures="1"/);
  });
  it('markdown: verdict, counts, why, failing devices with escaped cells', () => {
    const md = smokeMarkdown(report('fail'));
    assert.match(md, /## IoT Edge smoke test: rel-7 — FAILED/);
    assert.match(md, /\| 2 \| 0 \| 1 \| 1 \| 0\.0% \| 1\.2 s \| 2 \| 5 \(1 retries\) \|/);
    assert.match(md, /- 0 of 2 device\(s\) passed/);
    assert.match(md, /\| a\\\|<b> \| failed \| modules online \| sensor: runs x, expected <y> \|/);
    assert.match(md, /\| c \| offline \| connected \|/);
  });
});
