import * as fs from 'fs';
import * as path from 'path';
import { ExternalError } from '../core/errors';
import { hostPlatform, QEMU_HANDLER } from './platforms';

/**
 * Cross-platform RUN steps execute foreign binaries; the kernel needs a qemu binfmt_misc handler
 * registered with the F (fix-binary) flag, or containers fail with "exec format error".
 * We check before building so the user gets the fix instead of a half-built solution.
 */
export interface BinfmtStatus { handler: string; registered: boolean; enabled: boolean; fixBinary: boolean }

export function readBinfmt(handler: string, root = '/proc/sys/fs/binfmt_misc'): BinfmtStatus {
  let text: string;
  try { text = fs.readFileSync(path.join(root, handler), 'utf8'); } catch {
    return { handler, registered: false, enabled: false, fixBinary: false };
  }
  const lines = text.split('\n');
  const flags = lines.find((l) => l.startsWith('flags:'))?.slice(6).trim() ?? '';
  return { handler, registered: true, enabled: lines[0].trim() === 'enabled', fixBinary: flags.includes('F') };
}

/** True when a Dockerfile executes something at build time in a stage targeting the image platform. */
export function dockerfileRunsCommands(dockerfileText: string): boolean {
  let nativeStage = false;
  for (const raw of dockerfileText.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^FROM\s/i.test(line)) nativeStage = /--platform=\$\{?BUILDPLATFORM\}?/i.test(line);
    else if (/^RUN\s/i.test(line) && !nativeStage) return true;
  }
  return false;
}

export interface EmulationNeed { platform: string; module: string }

/** Throws one error listing every platform that needs qemu and lacks it. */
export function checkEmulation(needs: EmulationNeed[], opts: { root?: string; arch?: string } = {}): void {
  const host = hostPlatform(opts.arch);
  const problems: string[] = [];
  for (const platform of [...new Set(needs.map((n) => n.platform))]) {
    if (platform === host) continue;
    const handler = QEMU_HANDLER[platform];
    if (!handler) continue;
    const st = readBinfmt(handler, opts.root);
    const mods = needs.filter((n) => n.platform === platform).map((n) => n.module).join(', ');
    if (!st.registered) problems.push(`${platform} (${mods}): no ${handler} binfmt handler is registered`);
    else if (!st.enabled) problems.push(`${platform} (${mods}): the ${handler} binfmt handler is disabled`);
    else if (!st.fixBinary) problems.push(`${platform} (${mods}): the ${handler} binfmt handler lacks the F (fix-binary) flag, so containers cannot find qemu`);
  }
  if (problems.length > 0) {
    throw new ExternalError('QemuNotRegistered',
      `Cannot build for a foreign platform with RUN steps on this ${host ?? 'unknown'} machine: ${problems.join('; ')}.`, {
        hint: 'Register qemu handlers: `sudo apt-get install qemu-user-static binfmt-support && sudo update-binfmts --enable` '
          + '(Debian/Ubuntu), or `docker run --privileged --rm tonistiigi/binfmt --install arm,arm64`. '
          + 'If /proc/sys/fs/binfmt_misc is empty, mount it first: `sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc`.',
      });
  }
}
