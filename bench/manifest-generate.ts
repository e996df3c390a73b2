/**
 * Manifest generation speed on a 50-module solution (2 platforms each, createOptions, env,
 * routes), in memory and with the atomic write. Prints medians; no assertions.
 *   npx tsc -p . && node out/bench/manifest-generate.js [iterations]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildManifest, generateManifest } from '../shared/manifest';
import { discoverModules } from '../shared/modules';

const MODULES = 50;
const iterations = Number(process.argv[2] ?? 30);

function makeSolution(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bench-mf-'));
  const modules: Record<string, unknown> = {};
  const routes: Record<string, string> = {};
  for (let i = 0; i < MODULES; i++) {
    const name = `module${String(i).padStart(2, '0')}`;
    const mdir = path.join(dir, 'modules', name);
    fs.mkdirSync(mdir, { recursive: true });
    fs.writeFileSync(path.join(mdir, 'module.json'), JSON.stringify({
      image: { repository: '${CONTAINER_REGISTRY_SERVER}/' + name, tag: { version: '1.0.' + i, platforms: { amd64: './Dockerfile.amd64', arm64v8: './Dockerfile.arm64v8' } } },
    }));
    for (const p of ['amd64', 'arm64v8']) fs.writeFileSync(path.join(mdir, `Dockerfile.${p}`), 'FROM scratch\n');
    modules[name] = {
      version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always',
      settings: { image: `\${MODULES.${name}}`, createOptions: { Env: Array.from({ length: 12 }, (_, k) => `K${k}=${'v'.repeat(40)}`), HostConfig: { Binds: [`/data/${name}:/data`] } } },
      env: { LOG_LEVEL: { value: '$LOG_LEVEL' } },
    };
    routes[`${name}ToCloud`] = `FROM /messages/modules/${name}/outputs/* INTO $upstream`;
  }
  const tpl = {
    '$schema-template': '4.0.0',
    modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: { registryCredentials: { r: { username: '$CONTAINER_REGISTRY_USERNAME', password: '$CONTAINER_REGISTRY_PASSWORD', address: '$CONTAINER_REGISTRY_SERVER' } } } },
        systemModules: {
          edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', createOptions: {} } },
          edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: {} } },
        },
        modules } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.2', routes, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  };
  fs.writeFileSync(path.join(dir, 'deployment.template.json'), JSON.stringify(tpl, null, 2));
  fs.writeFileSync(path.join(dir, '.env'), 'CONTAINER_REGISTRY_SERVER=localhost:5000\nCONTAINER_REGISTRY_USERNAME=u\nCONTAINER_REGISTRY_PASSWORD=p\nLOG_LEVEL=info\n');
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function time(fn: () => void): number[] {
  fn(); // warm-up (module loading, schema compilation)
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

const dir = makeSolution();
try {
  const templatePath = path.join(dir, 'deployment.template.json');
  const coldStart = process.hrtime.bigint();
  buildManifest({ templatePath, platform: 'amd64', env: {}, cwd: dir });
  const cold = Number(process.hrtime.bigint() - coldStart) / 1e6;
  const build = time(() => buildManifest({ templatePath, platform: 'amd64', env: {}, cwd: dir }));
  const gen = time(() => generateManifest({ templatePath, platform: 'amd64', env: {}, cwd: dir, outputDir: path.join(dir, 'config') }));
  const disc = time(() => discoverModules(templatePath, { platforms: ['amd64', 'arm64v8'], env: {} }));
  const size = fs.statSync(path.join(dir, 'config', 'deployment.amd64.json')).size;
  console.log(`manifest-generate: ${MODULES} modules, ${iterations} iterations, manifest ${size} bytes`);
  console.log(`  first run (incl. schema compile)   ${cold.toFixed(1)} ms`);
  console.log(`  build in memory, median            ${median(build).toFixed(2)} ms`);
  console.log(`  generate + atomic write, median    ${median(gen).toFixed(2)} ms`);
  console.log(`  discoverModules (2 platforms), med ${median(disc).toFixed(2)} ms`);
  console.log(`  ratio write/build                  ${(median(gen) / median(build)).toFixed(2)}x`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
