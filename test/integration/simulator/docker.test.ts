import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { Registry } from 'azure-iothub';
import { DeviceSimulator } from '../../../emulator/simulator';
import { DockerRuntime } from '../../../emulator/simulator/docker-runtime';
import { TelemetryReader } from '../../../shared/hub/telemetry';
import { readHubInfo } from '../../../shared/hub/hub-info';
import { requireDocker } from '../../support/docker';
import { startHub, TestHub } from '../../support/emulator';
import { startRegistry, TestRegistry } from '../../support/registry';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tiny module: ModuleClient.fromEnvironment (EdgeHubConnectionString + EdgeModuleCACertificateFile), telemetry every 300 ms. */
const APP = `
const { ModuleClient, Message } = require('azure-iot-device');
const { Mqtt } = require('azure-iot-device-mqtt');
ModuleClient.fromEnvironment(Mqtt, (err, client) => {
  if (err) { console.error(err); process.exit(2); }
  client.open().then(() => {
    let n = 0;
    setInterval(() => client.sendEvent(new Message(JSON.stringify({ n: n++ }))).catch((e) => console.error(e)), 300);
  }, (e) => { console.error(e); process.exit(3); });
});
`;

function buildModuleImage(tag: string): void {
  execFileSync('bash', [path.join(REPO, 'samples', 'base-images', 'build.sh')], { stdio: 'ignore' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-simmod-'));
  try {
    fs.writeFileSync(path.join(dir, 'src.js'), APP);
    buildSync({ entryPoints: [path.join(dir, 'src.js')], bundle: true, platform: 'node', target: 'node20', outfile: path.join(dir, 'app.js'),
      nodePaths: [path.join(REPO, 'node_modules')], logLevel: 'error', external: ['bufferutil', 'utf-8-validate'] });
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM edgeops-samples/node:20\nCOPY app.js /app/app.js\nCMD ["node", "/app/app.js"]\n');
    execFileSync('docker', ['build', '-q', '-t', tag, dir], { stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    execFileSync('docker', ['push', tag], { stdio: 'ignore' });
    execFileSync('docker', ['rmi', tag], { stdio: 'ignore' }); // the simulator must pull it
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Docker mode: a real container pulled from the local registry connects to the emulator and sends telemetry. */
describe('edge-device simulator (docker mode)', function () {
  this.timeout(240_000);
  let hub: TestHub;
  let reg: TestRegistry;
  let registry: Registry;
  let sim: DeviceSimulator | undefined;

  before(async () => {
    requireDocker();
    hub = await startHub();
    reg = await startRegistry({ auth: true });
    registry = hub.clients().registry;
  });

  after(async () => {
    await sim?.stop();
    await hub?.stop();
    await reg?.stop();
  });

  it('pulls with the deployment credentials, runs the module, reports it running, and its telemetry arrives; containers go on stop', async () => {
    const image = `${reg.address}/simtest/pinger:1.0`;
    execFileSync('docker', ['login', '--username', reg.username!, '--password-stdin', reg.address], { input: reg.password, stdio: ['pipe', 'ignore', 'ignore'] });
    try { buildModuleImage(image); } finally { execFileSync('docker', ['logout', reg.address], { stdio: 'ignore' }); }
    const info = readHubInfo(hub.hubInfoFile);
    sim = new DeviceSimulator({ hubInfo: info, count: 1, prefix: 'dock-', runtimeFactory: (id) => new DockerRuntime({ deviceId: id, hub: info, pollMs: 500 }) });
    await sim.start();
    const since = new Date();
    await registry.addConfiguration({
      id: 'docker-1', priority: 1, targetCondition: "deviceId = 'dock-0001'", schemaVersion: '1.0', labels: {},
      content: { modulesContent: {
        $edgeAgent: { 'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: { minDockerVersion: 'v1.25', registryCredentials: { local: { address: reg.address, username: reg.username, password: reg.password } } } },
          systemModules: {
            edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: '{}' } },
            edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '{}' } },
          },
          modules: { pinger: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image, createOptions: '{}' } } },
        } },
        $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: { up: 'FROM /messages/* INTO $upstream' }, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
      } },
    } as any);
    const deadline = Date.now() + 120_000;
    let reported: any;
    for (;;) {
      const t = (await registry.getModuleTwin('dock-0001', '$edgeAgent')).responseBody as any;
      reported = t.properties.reported;
      if (reported.lastDesiredVersion === t.properties.desired.$version && reported.modules?.pinger?.runtimeStatus === 'running') break;
      if (Date.now() > deadline) throw new Error(`not running: ${JSON.stringify(reported)}`);
      await sleep(500);
    }
    assert.strictEqual(reported.lastDesiredStatus.code, 200);
    assert.strictEqual(reported.modules.pinger.settings.image, image);
    assert.match(reported.modules.pinger.settings.imageHash, /^sha256:/);
    const reader = new TelemetryReader({ hubInfoFile: hub.hubInfoFile });
    for (;;) {
      if (await reader.sentSince('dock-0001', 'pinger', since)) break;
      if (Date.now() > deadline) {
        const logs = execFileSync('docker', ['logs', 'edgeops-sim-dock-0001-pinger'], { encoding: 'utf8' });
        throw new Error(`no telemetry from the container; logs:\n${logs}`);
      }
      await sleep(500);
    }
    const [msg] = await reader.messages({ deviceId: 'dock-0001', moduleId: 'pinger', limit: 1 });
    assert.ok('n' in JSON.parse(msg.body));
    assert.strictEqual(((await registry.getModuleTwin('dock-0001', 'pinger')).responseBody as any).connectionState, 'Connected');
    await sim.stop();
    sim = undefined;
    const left = execFileSync('docker', ['ps', '-aq', '--filter', 'label=edgeops.sim.device=dock-0001'], { encoding: 'utf8' }).trim();
    assert.strictEqual(left, '', 'containers are removed when the simulator stops');
  });
});
