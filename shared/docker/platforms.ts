import * as os from 'os';
import { InputError } from '../core/errors';

/** IoT Edge platform names (as in module.json) → Docker platform strings. */
export const PLATFORM_MAP: Readonly<Record<string, string>> = {
  amd64: 'linux/amd64',
  arm32v7: 'linux/arm/v7',
  arm64v8: 'linux/arm64',
};

/** binfmt_misc handler that must be registered to RUN binaries of a platform on another arch. */
export const QEMU_HANDLER: Readonly<Record<string, string>> = {
  arm32v7: 'qemu-arm',
  arm64v8: 'qemu-aarch64',
  amd64: 'qemu-x86_64',
};

export function dockerPlatform(platform: string, field = 'platform'): string {
  const p = PLATFORM_MAP[platform];
  if (!p) {
    throw new InputError(`Unknown platform '${platform}'. Supported: ${Object.keys(PLATFORM_MAP).join(', ')}.`, { field });
  }
  return p;
}

/** Validates a comma/space separated list ("amd64,arm32v7") into unique platform names. */
export function parsePlatforms(list: string | string[], field = 'platform'): string[] {
  const items = (Array.isArray(list) ? list : [list]).flatMap((s) => s.split(/[,\s]+/)).map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InputError('At least one platform is required (amd64, arm32v7, arm64v8).', { field });
  for (const p of items) dockerPlatform(p, field);
  return [...new Set(items)];
}

/** The IoT Edge platform name of the machine Docker runs on (native builds need no emulation). */
export function hostPlatform(arch: string = os.arch()): string | undefined {
  return ({ x64: 'amd64', arm64: 'arm64v8', arm: 'arm32v7' } as Record<string, string>)[arch];
}
