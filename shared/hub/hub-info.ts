import { InputError } from '../core/errors';
import { readJsonFile } from '../core/json';
import * as path from 'path';

/** What `edgeops hub start --info <file>` writes, for scripts and other tools to find the emulator. */
export interface HubInfoFile {
  connectionString: string;
  caFile: string;
  host: string;
  port: number;
  /** Device endpoint (MQTT over TLS), when the emulator's device side runs. */
  mqttPort?: number;
}

/** Reads and checks a hub-info file; errors name the file, field, line and column. */
export function readHubInfo(file: string): HubInfoFile {
  const doc = readJsonFile<Record<string, unknown>>(file);
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new InputError('A hub-info file must be a JSON object', doc.locate(''));
  const str = (k: string) => {
    if (typeof v[k] !== 'string' || !(v[k] as string)) throw new InputError(`Field "${k}" must be a non-empty string`, doc.locate(`/${k}`));
    return v[k] as string;
  };
  const port = (k: string, optional: boolean) => {
    if (optional && v[k] === undefined) return undefined;
    const n = v[k];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) throw new InputError(`Field "${k}" must be a TCP port number`, doc.locate(`/${k}`));
    return n;
  };
  const caFile = str('caFile');
  return {
    connectionString: str('connectionString'),
    // A relative CA path is relative to the info file, so the pair can be moved together.
    caFile: path.resolve(path.dirname(path.resolve(file)), caFile),
    host: str('host'),
    port: port('port', false)!,
    mqttPort: port('mqttPort', true),
  };
}
