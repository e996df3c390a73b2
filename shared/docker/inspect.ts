import { CommandRunner } from '../core/exec';
import { CONTENT_HASH_LABEL } from './labels';

export interface LocalImage { id: string; contentHash?: string }

/** A local image's id and content-hash label, or undefined when the daemon has no such tag. */
export async function inspectLocalImage(runner: CommandRunner, docker: string, ref: string): Promise<LocalImage | undefined> {
  const r = await runner.run(docker, ['image', 'inspect', '--format', `{{.Id}}|{{index .Config.Labels "${CONTENT_HASH_LABEL}"}}`, ref]);
  if (r.code !== 0) return undefined;
  const [id, hash] = r.stdout.trim().split('|');
  return id ? { id, contentHash: hash && hash !== '<no value>' ? hash : undefined } : undefined;
}
