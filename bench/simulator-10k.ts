/**
 * Simulator benchmark: N virtual IoT Edge devices (default 10,000) against the emulator running in
 * its own process (so this process's memory is the simulator's alone), lite MQTT client, images
 * checked in a real local registry.
 *  1. identities (create + keys), 2. connect (2 connections per device) — time and memory per device,
 *  3. RUNS new deployments (rising priority) targeting every device — time until every $edgeAgent
 *     reports the new desired $version with code 200 and the module running (one COUNT() query
 *     polled every 250 ms). Prints medians.
 * Run: node --expose-gc out/bench/simulator-10k.js [devices] [runs]   (BENCH_DEVICE_CONNECTION=0: $edgeAgent only)
 */
import * as fs from 'fs';
import { DeviceSimulator, liteLinks } from '../emulator/simulator';
import { readHubInfo } from '../shared/hub/hub-info';
import { startHubProcess } from '../test/support/emulator';
import { startRegistry } from '../test/support/registry';
import { pushConfigOnlyImage } from '../test/integration/simulator/oci-push';

const DEVICES = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 3);
// Two connections per device need 2×N descriptors in each process; where the hard limit (ulimit -Hn) is
// below that, devices connect as $edgeAgent only (what deployments and the smoke test read).
const BOTH = process.env.BENCH_DEVICE_CONNECTION !== '0';
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const gc = () => (global as { gc?: () => void }).gc?.();

function deployment(id: string, priority: number, image: string) {
  return {
    id, priority, schemaVersion: '1.0', targetCondition: "tags.environment = 'bench'", labels: {},
    content: { modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25' } },
        systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } }, edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } } },
        modules: { sensor: { type: 'docker', status: 'running', restartPolicy: 'always', version: id, settings: { image, createOptions: '{}' } } } } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' } } },
    } },
  };
}

async function main(): Promise<void> {
  const hub = await startHubProcess({}, 60_000);
  const reg = await startRegistry();
  const sims: DeviceSimulator[] = [];
  try {
    await pushConfigOnlyImage(reg.url, 'bench/sensor', '1.0');
    const info = readHubInfo(hub.hubInfoFile);
    const { registry } = hub.clients();
    gc();
    const mem0 = process.memoryUsage();
    const sim = new DeviceSimulator({ hubInfo: info, count: DEVICES, prefix: 'b-', tags: { environment: 'bench' }, links: liteLinks(info, fs.readFileSync(info.caFile, 'utf8')), connectConcurrency: 200, deviceConnection: BOTH });
    sims.push(sim);
    let t = Date.now();
    const startP = sim.start();
    await startP;
    const startMs = Date.now() - t;
    gc();
    const mem1 = process.memoryUsage();
    console.log(`${DEVICES} devices: identities + connect (${BOTH ? '2 MQTT/TLS connections' : '1 MQTT/TLS connection ($edgeAgent)'} each) in ${startMs} ms (${(startMs / DEVICES).toFixed(2)} ms/device)`);
    console.log(`memory: rss +${mb(mem1.rss - mem0.rss)} MB, heap +${mb(mem1.heapUsed - mem0.heapUsed)} MB → ${((mem1.rss - mem0.rss) / DEVICES / 1024).toFixed(1)} KB rss, ${((mem1.heapUsed - mem0.heapUsed) / DEVICES / 1024).toFixed(1)} KB heap per device`);
    const times: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const id = `bench-${run}`;
      t = Date.now();
      await registry.addConfiguration(deployment(id, run, `${reg.address}/bench/sensor:1.0`) as never);
      const q = `SELECT COUNT() AS n FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.lastDesiredVersion = properties.desired.$version AND properties.reported.lastDesiredStatus.code = 200 AND properties.reported.modules.sensor.version = '${id}' AND properties.reported.modules.sensor.runtimeStatus = 'running'`;
      let n = 0;
      while (n < DEVICES) {
        await new Promise((r) => setTimeout(r, 250));
        n = ((await registry.createQuery(q).next()).result as unknown as { n: number }[])[0]?.n ?? 0;
        if (process.env.BENCH_DEBUG) {
          console.log(`  ${n}/${DEVICES}`);
          const rows = (await registry.createQuery(`SELECT deviceId, properties.reported.lastDesiredVersion AS r, properties.desired.$version AS d, properties.reported.lastDesiredStatus AS s, connectionState FROM devices.modules WHERE moduleId = '$edgeAgent' AND properties.reported.lastDesiredVersion != properties.desired.$version`, 3).next()).result;
          console.log(JSON.stringify(rows));
        }
        if (Date.now() - t > 600_000) throw new Error(`not converged after 10 minutes: ${n}/${DEVICES}`);
      }
      times.push(Date.now() - t);
      console.log(`run ${run}: deployment ${id} converged on ${DEVICES} devices in ${times[times.length - 1]} ms`);
    }
    gc();
    const mem2 = process.memoryUsage();
    console.log(`median convergence: ${median(times)} ms for ${DEVICES} devices (${(median(times) / DEVICES * 1000).toFixed(1)} µs/device); rss after runs ${mb(mem2.rss)} MB (${((mem2.rss - mem0.rss) / DEVICES / 1024).toFixed(1)} KB/device)`);
  } finally {
    for (const s of sims) await s.stop();
    await hub.stop();
    await reg.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
