/**
 * Smoke-test verdict for 10,000 IoT Edge devices: the paged-query approach of shared/smoke versus a
 * per-device approach (GET device twin + GET $edgeAgent twin for every device), in the same run on
 * the same emulator, through azure-iothub. The fleet is seeded in-process (devices report like
 * $edgeAgent, written through the emulator's state so seeding does not dominate), saved, and then
 * served by the emulator in a child process (without its MQTT side, so the saved connection states
 * stay) — like a remote hub, the server does not share the client's thread. Prints medians, request counts and the ratio.
 * Target: ≥ 20× faster and ≤ 10 s for 10,000 devices.
 *
 * Run: node out/bench/smoke-10k.js [devices=10000] [runs=3] [perDeviceConcurrency=32] [rttMs=0]
 * rttMs > 0 delays every response by that much (the emulator's `stall` fault) to model the network
 * round trip to a real hub; 0 measures plain loopback, where a twin GET costs well under 1 ms.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Registry } from 'azure-iothub';
import { HubEmulator } from '../emulator';
import { spawn } from 'child_process';
import * as readline from 'readline';
import { silentLogger } from '../shared/core/logger';
import { createHubClients } from '../shared/hub/clients';
import { evaluateDevice, expectedModules, registrySmokeHub, RestartTracker, runSmokeTest, toAgentRow, toDeviceRow, eachLimited, DeviceResult } from '../shared/smoke';
import { HubDeployment } from '../shared/deploy/hub';

const DEVICES = Number(process.argv[2] === '--serve' ? 0 : process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 3);
const CONCURRENCY = Number(process.argv[4] ?? 32);
const RTT_MS = Number(process.argv[5] ?? 0);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const ms = () => Number(process.hrtime.bigint() / 1_000_000n);

const content = {
  modulesContent: {
    $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: {} }, systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } }, edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } } }, modules: { sensor: { type: 'docker', status: 'running', restartPolicy: 'always', version: '1.0', settings: { image: 'localhost:5000/sensor:2.0', createOptions: '{}' } }, filter: { type: 'docker', status: 'running', restartPolicy: 'always', version: '1.0', settings: { image: 'localhost:5000/filter:2.0', createOptions: '{}' } } } } },
    $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
  },
};

function seed(hub: HubEmulator): void {
  for (let i = 0; i < DEVICES; i++) {
    const id = `bench-${String(i).padStart(5, '0')}`;
    hub.state.putDevice(id, { capabilities: { iotEdge: true } }, undefined);
    hub.state.updateTwin(id, undefined, { tags: { environment: 'bench' } }, undefined, false);
    hub.state.setConnectionState(id, undefined, true);
    hub.state.setConnectionState(id, '$edgeAgent', true);
  }
}

function report(hub: HubEmulator): void {
  const mod = (image: string) => ({ runtimeStatus: 'running', restartCount: 0, exitCode: 0, statusDescription: 'running', settings: { image } });
  for (const id of hub.state.devices.keys()) {
    const v = hub.state.twinOf(id, '$edgeAgent').properties.desired.$version;
    hub.state.updateReported(id, '$edgeAgent', {
      lastDesiredVersion: v, lastDesiredStatus: { code: 200, description: '' },
      systemModules: { edgeAgent: mod('mcr.microsoft.com/azureiotedge-agent:1.5'), edgeHub: mod('mcr.microsoft.com/azureiotedge-hub:1.5') },
      modules: { sensor: mod('localhost:5000/sensor:2.0'), filter: mod('localhost:5000/filter:2.0') },
    } as never);
  }
}

/** The naive gate: list the targeted devices, then two twin GETs per device, same checks. */
async function perDevice(registry: Registry, deployment: HubDeployment): Promise<{ results: DeviceResult[]; requests: number }> {
  let requests = 0;
  const ids: string[] = [];
  const q = registry.createQuery(`SELECT deviceId FROM devices WHERE capabilities.iotEdge = true AND (${deployment.targetCondition})`, 1000);
  while (q.hasMoreResults) { requests++; ids.push(...(await q.next(q.continuationToken as string)).result.map((r: { deviceId: string }) => r.deviceId)); }
  const expected = expectedModules(deployment);
  const ctx = { deploymentId: deployment.id, expected, now: Date.now(), tracker: new RestartTracker(0), stabilityMs: 0, activityWindowMs: 0 };
  const results: DeviceResult[] = [];
  await eachLimited(ids, CONCURRENCY, async (id) => {
    const twin = (await registry.getTwin(id)).responseBody as unknown as Record<string, unknown>;
    const agent = (await registry.getModuleTwin(id, '$edgeAgent')).responseBody as unknown as { properties: { desired: { $version: number }; reported: unknown }; connectionState: string; lastActivityTime: string };
    requests += 2;
    results.push(evaluateDevice(ctx, toDeviceRow(twin, deployment.id), toAgentRow({ deviceId: id, connectionState: agent.connectionState, lastActivityTime: agent.lastActivityTime, $version: agent.properties.desired.$version, reported: agent.properties.reported })));
  });
  return { results, requests };
}

async function main(): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bench-smoke-'));
  const seedHub = new HubEmulator({ stateDir, mqttPort: false });
  const seedInfo = await seedHub.start();
  let t = ms();
  seed(seedHub);
  await createHubClients({ connectionString: seedInfo.connectionString, caFile: seedInfo.caFile }).registry
    .addConfiguration({ id: 'bench-release', priority: 10, schemaVersion: '1.0', targetCondition: "tags.environment = 'bench'", content } as never);
  report(seedHub);
  seedHub.state.flush();
  await seedHub.stop();
  console.log(`seeded ${DEVICES} edge devices, deployment applied and reported in ${ms() - t} ms`);
  const child = spawn(process.execPath, [__filename, '--serve', stateDir, String(RTT_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (c) => reject(new Error(`emulator child exited with ${c}`)));
  });
  const info = JSON.parse(line) as { connectionString: string; caFile: string };
  const { registry, client, hostName } = createHubClients({ connectionString: info.connectionString, caFile: info.caFile });
  const deployment = (await registry.getConfiguration('bench-release')).responseBody as unknown as HubDeployment;

  const smokeTimes: number[] = [];
  const naiveTimes: number[] = [];
  let smokeRequests = 0;
  let naiveRequests = 0;
  for (let r = 0; r < RUNS; r++) {
    const smokeHub = registrySmokeHub(registry, client, hostName, { logger: silentLogger });
    t = ms();
    const rep = await runSmokeTest({ hub: smokeHub, logger: silentLogger, deploymentId: 'bench-release', timeoutMs: 60_000, stabilityMs: 0, rule: { threshold: { kind: 'percent', value: 100 }, minDevices: 1, offline: 'fail' } });
    smokeTimes.push(ms() - t);
    smokeRequests = rep.requests;
    if (!rep.verdict.passed || rep.counts.passed !== DEVICES) throw new Error(`smoke verdict wrong: ${JSON.stringify(rep.counts)}`);

    t = ms();
    const naive = await perDevice(registry, deployment);
    naiveTimes.push(ms() - t);
    naiveRequests = naive.requests;
    if (naive.results.filter((x) => x.state === 'passed').length !== DEVICES) throw new Error('per-device verdict wrong');
    console.log(`run ${r + 1}: paged queries ${smokeTimes[r]} ms (${smokeRequests} requests), per-device GETs ${naiveTimes[r]} ms (${naiveRequests} requests)`);
  }
  const a = median(smokeTimes);
  const b = median(naiveTimes);
  console.log(`\n${DEVICES} devices, ${RUNS} run(s), per-device concurrency ${CONCURRENCY}, ${RTT_MS ? `modeled round trip ${RTT_MS} ms` : 'loopback (no added latency)'}`);
  console.log(`  smoke (paged devices + devices.modules queries): median ${a} ms, ${smokeRequests} requests (${(smokeRequests / (DEVICES / 1000)).toFixed(1)} per 1000 devices)`);
  console.log(`  per-device twin GETs:                            median ${b} ms, ${naiveRequests} requests`);
  console.log(`  ratio: ${(b / a).toFixed(1)}× faster, ${(naiveRequests / smokeRequests).toFixed(0)}× fewer requests (target ≥ 20× and ≤ 10 s: ${b / a >= 20 && a <= 10_000 ? 'met' : 'NOT met'})`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(stateDir, { recursive: true, force: true });
}

/** Child mode: serve the saved state over HTTPS until SIGTERM. */
async function serve(stateDir: string, rttMs: number): Promise<void> {
  const hub = new HubEmulator({ stateDir, mqttPort: false, faults: rttMs > 0 ? [{ route: '* /**', fault: 'stall', stallMs: rttMs }] : undefined });
  const info = await hub.start();
  process.stdout.write(JSON.stringify(info) + '\n');
  process.once('SIGTERM', () => { void hub.stop().then(() => process.exit(0)); });
}

(process.argv[2] === '--serve' ? serve(process.argv[3], Number(process.argv[4] ?? 0)) : main()).catch((e) => { console.error(e); process.exit(1); });
