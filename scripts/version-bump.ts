/**
 * The one place that changes the version: package.json, vss-extension.json and every task.json move together.
 * Usage: npm run version:bump -- <major|minor|patch|x.y.z>
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');

export function nextVersion(current: string, how: string): string {
  if (/^\d+\.\d+\.\d+$/.test(how)) return how;
  const [ma, mi, pa] = current.split('.').map(Number);
  switch (how) {
    case 'major': return `${ma + 1}.0.0`;
    case 'minor': return `${ma}.${mi + 1}.0`;
    case 'patch': return `${ma}.${mi}.${pa + 1}`;
    default: throw new Error(`expected major, minor, patch or x.y.z, got '${how}'`);
  }
}

function rewriteJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(json, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

export function bumpAll(how: string, dir = root): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const v = nextVersion(pkg.version, how);
  const [Major, Minor, Patch] = v.split('.').map(Number);
  rewriteJson(path.join(dir, 'package.json'), (j) => { j.version = v; });
  rewriteJson(path.join(dir, 'vss-extension.json'), (j) => { j.version = v; });
  for (const t of fs.readdirSync(path.join(dir, 'tasks'))) {
    const tj = path.join(dir, 'tasks', t, 'task.json');
    if (fs.existsSync(tj)) rewriteJson(tj, (j) => { j.version = { Major, Minor, Patch }; });
  }
  return v;
}

if (require.main === module) {
  try {
    console.log(bumpAll(process.argv[2] ?? 'patch'));
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
