import * as fs from 'fs';
import * as path from 'path';
import { CommandRunner } from '../core/exec';
import { ExternalError } from '../core/errors';

/**
 * Which docker client to run and how it builds. Machines often have several clients on PATH
 * (a newer one without the buildx plugin, a distro one that still has the embedded BuildKit);
 * we pick the best builder any of them offers instead of trusting the first on PATH.
 */
export type BuilderKind = 'buildx' | 'buildkit' | 'classic';

export interface DockerClient {
  path: string;
  version: string;
  buildx: boolean;
}

export interface DockerTool {
  /** Absolute path of the chosen client. */
  path: string;
  version: string;
  builder: BuilderKind;
  /** Every client found, for the log. */
  candidates: DockerClient[];
}

/** Every distinct executable named docker on PATH, in PATH order (symlinks to one binary count once). */
export function findDockerClients(envPath: string = process.env.PATH ?? '', exists = isExecutable, realpath = fs.realpathSync): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, process.platform === 'win32' ? 'docker.exe' : 'docker');
    if (!exists(p)) continue;
    let real: string;
    try { real = realpath(p); } catch { continue; }
    if (seen.has(real)) continue;
    seen.add(real);
    out.push(p);
  }
  return out;
}

function isExecutable(p: string): boolean {
  try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; }
}

export function parseClientVersion(text: string): string | undefined {
  return /version\s+v?(\d+\.\d+\.\d+[^\s,]*)/i.exec(text)?.[1];
}

function major(v: string): number { return parseInt(v.split('.')[0], 10); }

/**
 * Legacy `DOCKER_BUILDKIT=1 docker build` talks to the daemon's embedded BuildKit only in
 * clients before 23.0; newer clients hand BuildKit to the buildx plugin and fail without it.
 */
export function legacyBuildKitWorks(c: DockerClient): boolean {
  return !c.buildx && major(c.version) < 23;
}

/** Pure choice: buildx anywhere, else a client whose legacy BuildKit works, else the first client (classic builder). */
export function chooseDockerTool(candidates: DockerClient[]): DockerTool | undefined {
  if (candidates.length === 0) return undefined;
  const bx = candidates.find((c) => c.buildx);
  if (bx) return { path: bx.path, version: bx.version, builder: 'buildx', candidates };
  const bk = candidates.find(legacyBuildKitWorks);
  if (bk) return { path: bk.path, version: bk.version, builder: 'buildkit', candidates };
  return { path: candidates[0].path, version: candidates[0].version, builder: 'classic', candidates };
}

export async function probeClient(runner: CommandRunner, p: string): Promise<DockerClient | undefined> {
  const v = await runner.run(p, ['--version']).catch(() => undefined);
  const version = v && v.code === 0 ? parseClientVersion(v.stdout) : undefined;
  if (!version) return undefined;
  const bx = await runner.run(p, ['buildx', 'version']).catch(() => undefined);
  return { path: p, version, buildx: !!bx && bx.code === 0 };
}

export async function detectDockerTool(runner: CommandRunner, envPath?: string): Promise<DockerTool> {
  const found: DockerClient[] = [];
  for (const p of findDockerClients(envPath)) {
    const c = await probeClient(runner, p);
    if (c) found.push(c);
  }
  const tool = chooseDockerTool(found);
  if (!tool) {
    throw new ExternalError('DockerNotFound', 'No docker client found on PATH.', {
      hint: 'Install Docker (e.g. `sudo apt-get install docker.io`) or use an agent image that has it.',
    });
  }
  return tool;
}
