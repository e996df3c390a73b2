import * as fs from 'fs';
import * as path from 'path';
import { InputError } from './errors';

/**
 * Writes a file so readers never see half of it: temp file in the same folder, then rename.
 * Fails with a clear InputError when the target is a directory or not writable.
 */
export function writeFileAtomic(target: string, data: string | Buffer, opts: { mode?: number } = {}): void {
  const abs = path.resolve(target);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
    throw new InputError(`Output path is a directory, expected a file: ${abs}`, { file: abs });
  }
  const dir = path.dirname(abs);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`Cannot create output folder ${dir}: ${(e as Error).message}`, { file: abs });
  }
  const tmp = path.join(dir, `.${path.basename(abs)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode: opts.mode });
    fs.renameSync(tmp, abs);
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch { /* best effort */ }
    throw new InputError(`Cannot write ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: abs });
  }
}

export function writeJsonAtomic(target: string, value: unknown): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n');
}
