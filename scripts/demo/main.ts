/**
 * The one-command local release demo (npm run demo / bash scripts/demo.sh):
 * local registry + IoT Hub emulator + simulated edge devices for dev, qa and prod, then the repo's
 * azure-pipelines.yml through `edgeops pipeline run` twice — a good release that must reach prod, and a
 * deliberately broken one that must be stopped at dev and rolled back with qa/prod untouched.
 * Exits 0 only when both outcomes are verified against the hub.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawn } from 'child_process';
import { startRegistry, TestRegistry } from '../../cli/local/registry';
import { writeJsonAtomic } from '../../shared/core/atomic-write';
import { formatDuration, textTable } from '../../shared/report/markdown';
import { Background } from './background';
import { HubSnapshot, snapshotHub, verifyBroken, verifyGood, Check } from './verify';

const root = path.resolve(__dirname, '..', '..', '..');
const edgeops = path.join(root, 'bin', 'edgeops.js');

interface HubInfo { connectionString: string; caFile: string; host: string; port: number; mqttPort?: number }
interface StageRecord { kind: string; name: string; result: string; durationMs: number; children: StageRecord[] }
interface RunJson { number: number; result: string; durationMs: number; stages: StageRecord[] }

interface FleetPart { env: string; mode: 'docker' | 'virtual'; count: number }

/** Environments and their simulated devices: docker-mode devices in dev run the real module containers. */
export const DEFAULT_FLEET: FleetPart[] = [
  { env: 'dev', mode: 'docker', count: 1 },
  { env: 'dev', mode: 'virtual', count: 2 },
  { env: 'qa', mode: 'virtual', count: 3 },
  { env: 'prod', mode: 'virtual', count: 5 },
];

export interface DemoOptions {
  demoDir?: string;
  fleet?: FleetPart[];
  /** Smoke-test timeout per stage; the broken release waits this long before rolling back. */
  smokeTimeoutSeconds?: number;
  /** Where pipeline and progress output goes (default: this process's stdout). */
  quiet?: boolean;
}

function say(line: string): void { if (!quiet) process.stdout.write(`[demo] ${line}\n`); }

let quiet = false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, logFile?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = quiet && logFile ? fs.openSync(logFile, 'a') : 'inherit';
    const child = spawn(cmd, args, { stdio: ['ignore', out, out], env, cwd: root });
    if (typeof out === 'number') fs.closeSync(out);
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

export async function runDemo(opts: DemoOptions = {}): Promise<{ exitCode: number; reportFile: string }> {
  quiet = !!opts.quiet;
  const FLEET = opts.fleet ?? DEFAULT_FLEET;
  const count = (env: string) => FLEET.filter((f) => f.env === env).reduce((n, f) => n + f.count, 0);
  const demoDir = path.resolve(opts.demoDir ?? process.env.EDGEOPS_DEMO_DIR ?? path.join(root, '.edgeops', 'demo'));
  fs.rmSync(demoDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(demoDir, 'logs'), { recursive: true });
  const started = Date.now();
  const background: Background[] = [];
  let registry: TestRegistry | undefined;
  try {
    say('building local base images (nothing is pulled from public registries)');
    if (await run('bash', [path.join(root, 'samples', 'base-images', 'build.sh')], process.env, path.join(demoDir, 'logs', 'base-images.log')) !== 0) throw new Error('base image build failed');

    registry = await startRegistry({ auth: true, tls: true });
    say(`local registry on ${registry.url} (htpasswd + TLS)`);

    const hubInfoFile = path.join(demoDir, 'hub.json');
    const hub = new Background('hub emulator', process.execPath, [edgeops, 'hub', 'start', '--port', '0', '--state', path.join(demoDir, 'hub-state'), '--info', hubInfoFile], path.join(demoDir, 'logs', 'hub.log'));
    background.push(hub);
    const info = await hub.waitForJson<HubInfo>(hubInfoFile);
    say(`IoT Hub emulator on ${info.host}:${info.port} (MQTT ${info.mqttPort})`);

    for (const f of FLEET) {
      const sim = new Background(`${f.env} ${f.mode} devices`, process.execPath, [
        edgeops, 'devices', 'simulate', '--hub-info', hubInfoFile, '--count', String(f.count), '--prefix', `${f.env}-${f.mode}-`,
        '--mode', f.mode, '--tags', JSON.stringify({ environment: f.env }), '--registry-ca', registry.caFile!,
      ], path.join(demoDir, 'logs', `devices-${f.env}-${f.mode}.log`));
      background.push(sim);
    }
    await waitForDevices(hubInfoFile, FLEET.reduce((n, f) => n + f.count, 0));
    say(`${FLEET.reduce((n, f) => n + f.count, 0)} simulated edge devices connected (dev ${count('dev')}, qa ${count('qa')}, prod ${count('prod')})`);

    const connections = path.join(demoDir, 'connections.yml');
    fs.writeFileSync(connections, [
      'localRegistry:',
      '  type: dockerregistry',
      '  parameters:',
      `    registry: ${registry.url}`,
      `    username: ${registry.username}`,
      '    password: ${env:EDGEOPS_DEMO_REGISTRY_PASSWORD}',
      '',
    ].join('\n'));
    const env = { ...process.env, EDGEOPS_DEMO_REGISTRY_PASSWORD: registry.password, IOTHUB_CONNECTION_STRING: info.connectionString };
    const common = [edgeops, 'pipeline', 'run', path.join(root, 'azure-pipelines.yml'), '--connections', connections, '--approve',
      '--secret', 'IOTHUB_CONNECTION_STRING', '--runs-dir', path.join(demoDir, 'runs'),
      '--var', `CONTAINER_REGISTRY_SERVER=${registry.address}`, '--var', `EdgeOps.HubCaFile=${info.caFile}`,
      '--param', `smokeTimeoutSeconds=${opts.smokeTimeoutSeconds ?? 120}`];
    const pipelineLog = path.join(demoDir, 'logs', 'pipeline.log');

    say('release 1: a good release, dev → qa → prod');
    await run(process.execPath, [...common, '--param', 'moduleVersionSuffix=0'], env, pipelineLog);
    const good = readRun(demoDir, 1);
    const afterGood = await snapshotHub(hubInfoFile);
    const goodChecks = verifyGood(good, afterGood);

    say('release 2: a deliberately broken TinyModule — dev must fail its smoke test and roll back');
    await run(process.execPath, [...common, '--param', 'moduleVersionSuffix=1', '--param', 'brokenRelease=true'], env, pipelineLog);
    const broken = readRun(demoDir, 2);
    const afterBroken = await snapshotHub(hubInfoFile);
    const brokenChecks = verifyBroken(broken, afterGood, afterBroken);

    const exitCode = report(demoDir, started, [good, broken], afterGood, afterBroken, goodChecks, brokenChecks);
    return { exitCode, reportFile: path.join(demoDir, 'report.json') };
  } finally {
    for (const b of background.reverse()) await b.stop();
    await registry?.stop();
  }
}

async function waitForDevices(hubInfoFile: string, expected: number, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snap = await snapshotHub(hubInfoFile);
    const connected = snap.devices.filter((d) => d.connectionState === 'Connected').length;
    if (connected >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${connected} of ${expected} simulated devices connected after ${timeoutMs / 1000} s (see logs/devices-*.log)`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function readRun(demoDir: string, n: number): RunJson {
  const file = path.join(demoDir, 'runs', String(n), 'run.json');
  if (!fs.existsSync(file)) throw new Error(`pipeline run ${n} wrote no run.json (see the log above)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RunJson;
}

function report(demoDir: string, started: number, runs: RunJson[], afterGood: HubSnapshot, afterBroken: HubSnapshot, goodChecks: Check[], brokenChecks: Check[]): number {
  const stageRows = runs.flatMap((r, i) => r.stages.filter((s) => s.kind === 'stage').map((s) => [i === 0 ? 'good' : 'broken', s.name, s.result, formatDuration(s.durationMs)]));
  const deploymentsFor = (snap: HubSnapshot, env: string) => snap.devices.filter((d) => d.environment === env).map((d) => d.appliedDeployment ?? '-');
  const envRows = ['dev', 'qa', 'prod'].map((env) => {
    const g = deploymentsFor(afterGood, env);
    const b = deploymentsFor(afterBroken, env);
    return [env, String(g.length), [...new Set(g)].join(', '), [...new Set(b)].join(', ')];
  });
  const checks = [...goodChecks.map((c) => ({ release: 'good', ...c })), ...brokenChecks.map((c) => ({ release: 'broken', ...c }))];
  const passed = checks.every((c) => c.ok);
  const json = {
    passed,
    durationMs: Date.now() - started,
    runs: runs.map((r) => ({ number: r.number, result: r.result, durationMs: r.durationMs, stages: r.stages.filter((s) => s.kind === 'stage').map((s) => ({ name: s.name, result: s.result, durationMs: s.durationMs })) })),
    environments: envRows.map(([env, devices, good, broken]) => ({ env, devices: Number(devices), deploymentAfterGoodRelease: good, deploymentAfterBrokenRelease: broken })),
    deployments: afterBroken.deployments,
    checks,
  };
  const reportFile = path.join(demoDir, 'report.json');
  writeJsonAtomic(reportFile, json);
  if (!quiet) process.stdout.write(['', 'EdgeOps local release demo', '', textTable(['Release', 'Stage', 'Result', 'Time'], stageRows), '',
    textTable(['Env', 'Devices', 'Applied after good release', 'Applied after broken release'], envRows), '',
    textTable(['Release', 'Check', 'Result'], checks.map((c) => [c.release, c.name, c.ok ? 'ok' : `FAILED: ${c.detail ?? ''}`])), '',
    `${passed ? 'PASSED' : 'FAILED'} in ${formatDuration(Date.now() - started)} — report: ${reportFile}`, ''].join('\n'));
  return passed ? 0 : 1;
}

if (require.main === module) {
  runDemo().then((r) => { process.exitCode = r.exitCode; }, (err: Error) => {
    process.stderr.write(`[demo] failed: ${err.message}\n`);
    process.exitCode = 1;
  });
}
