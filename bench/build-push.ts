/**
 * Cold build vs no-change rebuild of a 5-module solution, and push vs re-push of unchanged images,
 * on the real Docker engine and a real registry (htpasswd + TLS). Prints medians and ratios.
 *
 *   npx tsc -p . && node out/bench/build-push.js [iterations=3]
 *
 * Target: a no-change rebuild takes ≤ 5% of a cold build.
 * "Cold" = every module's content changed (a nonce file), so every module image is rebuilt from its
 * base; the base image itself is local (nothing can be pulled here).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnRunner } from '../shared/core/exec';
import { silentLogger } from '../shared/core/logger';
import { BasicAuthProvider } from '../shared/auth/generic';
import { buildSolution } from '../shared/docker/run-build';
import { pushSolution } from '../shared/registry/run-push';
import { busyboxImage, requireDocker } from '../test/support/docker';
import { startRegistry } from '../test/support/registry';

const MODULES = ['m1', 'm2', 'm3', 'm4', 'm5'];

function writeSolution(dir: string): void {
  const modules: Record<string, unknown> = {};
  for (const m of MODULES) {
    modules[m] = { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: `\${MODULES.${m}}` } };
    const md = path.join(dir, 'modules', m);
    fs.mkdirSync(path.join(md, 'app'), { recursive: true });
    fs.writeFileSync(path.join(md, 'module.json'), JSON.stringify({
      $schema: '', image: { repository: `\${CONTAINER_REGISTRY_SERVER}/bench/${m}`, tag: { version: '1.0.0', platforms: { amd64: './Dockerfile' } }, buildOptions: [] },
    }, null, 2));
    // A few hundred KB of sources per module and a RUN step, like a small real module.
    for (let f = 0; f < 20; f++) fs.writeFileSync(path.join(md, 'app', `f${f}.txt`), `${m}-${f}\n`.repeat(2000));
    fs.writeFileSync(path.join(md, 'Dockerfile'), 'FROM edgeops-test/busybox:local\nCOPY app /app\nRUN cat /app/*.txt | wc -l > /app/lines\nCMD ["/bin/sh"]\n');
  }
  fs.writeFileSync(path.join(dir, 'deployment.template.json'), JSON.stringify({
    modulesContent: {
      $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker', settings: {} },
        systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } },
          edgeHub: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5' } } },
        modules } },
      $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {}, storeAndForwardConfiguration: { timeToLiveSecs: 7200 } } },
    },
  }, null, 2));
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
async function timed(fn: () => Promise<unknown>): Promise<number> { const t = process.hrtime.bigint(); await fn(); return Number(process.hrtime.bigint() - t) / 1e6; }

async function main(): Promise<void> {
  const iterations = Number(process.argv[2] ?? 3);
  requireDocker();
  busyboxImage();
  const reg = await startRegistry({ auth: true, tls: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-bench-'));
  try {
    writeSolution(dir);
    const env = { ...process.env, CONTAINER_REGISTRY_SERVER: reg.address };
    const template = path.join(dir, 'deployment.template.json');
    const auth = new BasicAuthProvider(reg.address, reg.username!, reg.password!);
    const build = () => buildSolution({ templatePath: template, platforms: ['amd64'], env, runner: spawnRunner, logger: silentLogger, concurrency: 2 });
    const push = () => pushSolution({ templatePath: template, platforms: ['amd64'], env, registry: reg.address, auth, runner: spawnRunner, logger: silentLogger });
    const cold: number[] = []; const rebuild: number[] = []; const pushT: number[] = []; const repush: number[] = [];
    for (let i = 0; i < iterations; i++) {
      for (const m of MODULES) fs.writeFileSync(path.join(dir, 'modules', m, 'app', 'nonce.txt'), `${Date.now()}-${i}\n`);
      cold.push(await timed(async () => { const r = await build(); if (r.results.images.some((x) => x.status !== 'built')) throw new Error('cold build reused an image'); }));
      rebuild.push(await timed(async () => { const r = await build(); if (r.results.images.some((x) => x.status !== 'reused')) throw new Error('rebuild built an image'); }));
      pushT.push(await timed(async () => { const r = await push(); if (r.images.some((x) => !x.pushed)) throw new Error('push skipped a new image'); }));
      repush.push(await timed(async () => { const r = await push(); if (r.images.some((x) => x.pushed)) throw new Error('re-push pushed an image'); }));
    }
    const f = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`build-push bench: ${MODULES.length} modules, amd64, ${iterations} iterations (medians)`);
    console.log(`  cold build            ${f(median(cold))}   [${cold.map(f).join(', ')}]`);
    console.log(`  no-change rebuild     ${f(median(rebuild))}   [${rebuild.map(f).join(', ')}]`);
    console.log(`  rebuild / cold        ${((median(rebuild) / median(cold)) * 100).toFixed(1)} %   (target ≤ 5 %)`);
    console.log(`  push                  ${f(median(pushT))}   [${pushT.map(f).join(', ')}]`);
    console.log(`  re-push (unchanged)   ${f(median(repush))}   [${repush.map(f).join(', ')}]`);
    console.log(`  re-push / push        ${((median(repush) / median(pushT)) * 100).toFixed(1)} %`);
  } finally {
    await reg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
