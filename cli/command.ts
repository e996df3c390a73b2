import { parseArgs, ParseArgsConfig } from 'util';
import { InputError } from '../shared/core/errors';
import { Logger } from '../shared/core/logger';

/** What every `edgeops` subcommand gets: a masked logger and its own argv. */
export interface CliContext {
  log: Logger;
  argv: string[];
  /** Reads all of stdin (for --password-stdin). */
  readStdin(): Promise<string>;
}

export interface Command {
  /** Words after `edgeops`, e.g. ['manifest', 'generate']. */
  path: string[];
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(ctx: CliContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with errors that name the command, as InputError (no stack trace). */
export function parseOptions<O extends Options>(cmd: Command, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new InputError(`${(e as Error).message}\nUsage: ${cmd.usage}`);
  }
}

export function requireOption(cmd: Command, value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new InputError(`Missing required option --${name}\nUsage: ${cmd.usage}`);
  return value;
}
