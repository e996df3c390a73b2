import * as fs from 'fs';
import { InputError } from './errors';

/**
 * Reads a file the user named: a missing or unreadable file is an InputError naming it, and the BOM
 * Windows editors write is dropped (JSON.parse, YAML positions and IoT Hub all mind it).
 */
export function readUserTextFile(file: string, what = 'File'): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${what} not found: ${file}` : `Cannot read ${file}: ${code}`, { file });
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
