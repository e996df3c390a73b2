import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';

/**
 * Real Docker engine for integration tests. scripts/setup.sh installs and starts it;
 * these helpers only check and build the local base images (nothing can be pulled here).
 */

export function dockerAvailable(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15000 }).status === 0;
}

/** Fails the calling test with the fix when no daemon answers (tests never silently skip real parts). */
export function requireDocker(): void {
  if (!dockerAvailable()) {
    throw new Error('No Docker daemon answers. Run `bash scripts/setup.sh` (installs docker.io and starts dockerd).');
  }
}

function imageExists(ref: string): boolean {
  return spawnSync('docker', ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0;
}

/** Builds an image FROM scratch holding a static busybox as /bin/sh etc. Cached by tag. */
function buildBusyboxImage(tag: string, busybox: string, platform: string): string {
  if (imageExists(tag)) return tag;
  if (!fs.existsSync(busybox)) throw new Error(`${busybox} missing: run bash scripts/setup.sh (busybox-static)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgeops-busybox-'));
  try {
    fs.copyFileSync(busybox, path.join(dir, 'busybox'));
    fs.chmodSync(path.join(dir, 'busybox'), 0o755);
    fs.writeFileSync(path.join(dir, 'Dockerfile'), [
      'FROM scratch',
      'COPY busybox /bin/busybox',
      // busybox --install needs /bin/sh to exist first; use the binary directly.
      'RUN ["/bin/busybox", "mkdir", "-p", "/usr/bin", "/sbin", "/usr/sbin", "/tmp"]',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'CMD ["/bin/sh"]',
      '',
    ].join('\n'));
    execFileSync('docker', ['build', '--platform', platform, '-t', tag, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    return tag;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Local amd64 base image with busybox (sh, echo, sleep …): `edgeops-test/busybox:local`. */
export function busyboxImage(): string {
  return buildBusyboxImage('edgeops-test/busybox:local', '/bin/busybox', 'linux/amd64');
}

/** armhf busybox base (needs qemu-arm binfmt for RUN steps): `edgeops-test/busybox:local-arm32v7`. */
export function busyboxArmImage(): string {
  return buildBusyboxImage('edgeops-test/busybox:local-arm32v7', '/usr/lib/edgeops/armhf/busybox', 'linux/arm/v7');
}

export function qemuArmRegistered(): boolean {
  try {
    return fs.readFileSync('/proc/sys/fs/binfmt_misc/qemu-arm', 'utf8').includes('enabled');
  } catch {
    return false;
  }
}
