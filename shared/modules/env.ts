import * as fs from 'fs';
import * as path from 'path';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { parseDotenv, resolveDotenv } from './dotenv';

/**
 * The variables a solution sees: `.env` beside the template (or DOTENV_FILE, or an explicit file)
 * overlaid by the process environment, which wins — as iotedgedev's load_dotenv(override=False).
 */
export interface SolutionEnv {
  vars: Record<string, string>;
  /** The .env file that was read, if any. */
  envFile?: string;
  /** Keys that came from the .env file (for reporting). */
  fromFile: string[];
}

export interface LoadEnvOptions {
  /** Folder of the deployment template. */
  templateDir: string;
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Explicit .env file; an error when missing. */
  envFile?: string;
}

export function loadSolutionEnv(opts: LoadEnvOptions): SolutionEnv {
  const processEnv = opts.env ?? process.env;
  let file: string | undefined;
  let required = false;
  if (opts.envFile) {
    file = path.resolve(opts.envFile);
    required = true;
  } else if (processEnv.DOTENV_FILE) {
    // iotedgedev resolves DOTENV_FILE against the working directory; a name beside the template is the common case.
    const beside = path.resolve(opts.templateDir, processEnv.DOTENV_FILE);
    file = fs.existsSync(beside) ? beside : path.resolve(processEnv.DOTENV_FILE);
    required = true;
  } else {
    file = path.join(opts.templateDir, '.env');
  }
  let fileVars: Record<string, string> = {};
  if (fs.existsSync(file) && fs.statSync(file).isFile()) {
    fileVars = resolveDotenv(parseDotenv(fs.readFileSync(file, 'utf8'), file), processEnv);
  } else if (required) {
    throw new InputError(`.env file not found: ${file}`, { file });
  } else {
    file = undefined;
  }
  const vars: Record<string, string> = { ...fileVars };
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) vars[k] = v;
  return { vars, envFile: file, fromFile: Object.keys(fileVars) };
}

/** Variable names whose values are secrets wherever they appear. */
export function isSecretName(name: string): boolean {
  return /^CONTAINER_REGISTRY_PASSWORD(_\w+)?$/i.test(name) || /(PASSWORD|SECRET|TOKEN|SAS_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CONNECTION_?STRING)/i.test(name);
}

/** Registers every secret-named variable's value with the logger before anything could print it. */
export function registerSecrets(vars: Record<string, string>, log: Logger): void {
  for (const [k, v] of Object.entries(vars)) if (isSecretName(k) && v) log.setSecret(v);
}

/** BYPASS_MODULES as iotedgedev splits it: comma list, trimmed, `*` for all. */
export function parseBypassModules(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export function isBypassed(name: string, bypass: string[]): boolean {
  return bypass.length > 0 && (bypass[0] === '*' || bypass.includes(name));
}
