/**
 * Bundles each task with esbuild into dist/stage/tasks/<Task>/ (task.json, index.js, icon.png and
 * task-lib's message strings — nothing else), then writes dist/<publisher>.<id>-<version>.vsix with tfx.
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');
const dist = path.join(root, 'dist');
const stage = path.join(dist, 'stage');
const MAX_VSIX_BYTES = 5 * 1024 * 1024;

export function taskNames(): string[] {
  return fs.readdirSync(path.join(root, 'tasks'))
    .filter((d) => fs.existsSync(path.join(root, 'tasks', d, 'task.json')))
    .sort();
}

function copyDir(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true });
}

async function bundleTask(name: string): Promise<void> {
  const src = path.join(root, 'tasks', name);
  const out = path.join(stage, 'tasks', name);
  fs.mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [path.join(src, 'src', 'index.ts')],
    outfile: path.join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // jsonc-parser's UMD entry (main) uses a dynamic require esbuild cannot follow; its ESM entry bundles cleanly.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Optional native accelerators some deps probe for; pure-JS fallbacks are used without them.
    external: ['bufferutil', 'utf-8-validate', 'keytar', 'dtrace-provider'],
  });
  fs.copyFileSync(path.join(src, 'task.json'), path.join(out, 'task.json'));
  fs.copyFileSync(path.join(src, 'icon.png'), path.join(out, 'icon.png'));
  // task-lib loads its own messages from __dirname (the bundle's folder).
  const tl = path.join(root, 'node_modules', 'azure-pipelines-task-lib');
  fs.copyFileSync(path.join(tl, 'lib.json'), path.join(out, 'lib.json'));
  copyDir(path.join(tl, 'Strings'), path.join(out, 'Strings'));
}

export async function packageExtension(opts: { vsix?: boolean } = {}): Promise<string | undefined> {
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const t of taskNames()) await bundleTask(t);
  if (opts.vsix === false) return undefined;

  fs.copyFileSync(path.join(root, 'vss-extension.json'), path.join(stage, 'vss-extension.json'));
  fs.copyFileSync(path.join(root, 'docs', 'marketplace-overview.md'), path.join(stage, 'overview.md'));
  fs.copyFileSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
  copyDir(path.join(root, 'images'), path.join(stage, 'images'));

  for (const f of fs.readdirSync(dist)) if (f.endsWith('.vsix')) fs.rmSync(path.join(dist, f));
  const tfx = path.join(root, 'node_modules', '.bin', 'tfx');
  execFileSync(tfx, ['extension', 'create', '--root', stage, '--manifest-globs', 'vss-extension.json', '--output-path', dist, '--no-prompt'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TFX_TRACE: '' },
  });
  const vsix = fs.readdirSync(dist).find((f) => f.endsWith('.vsix'));
  if (!vsix) throw new Error('tfx did not write a .vsix');
  const file = path.join(dist, vsix);
  const size = fs.statSync(file).size;
  if (size > MAX_VSIX_BYTES) throw new Error(`${vsix} is ${(size / 1048576).toFixed(2)} MB, over the 5 MB target`);
  return file;
}

if (require.main === module) {
  const vsix = !process.argv.includes('--tasks-only');
  packageExtension({ vsix }).then((file) => {
    if (file) console.log(`${path.relative(root, file)} (${(fs.statSync(file).size / 1024).toFixed(0)} KiB)`);
    else console.log(`tasks bundled in ${path.relative(root, stage)}/tasks`);
  }, (err: Error & { stderr?: Buffer }) => {
    console.error(`package failed: ${err.message}${err.stderr ? '\n' + err.stderr.toString() : ''}`);
    process.exitCode = 1;
  });
}
