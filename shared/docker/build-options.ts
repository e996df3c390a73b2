import { InputError, SourceLocation } from '../core/errors';

/**
 * module.json `buildOptions` → docker build flags. Only the options iotedgedev accepts are allowed;
 * anything else is an error naming the option (never passed blindly to docker).
 */
type Kind = 'value' | 'flag';
const SUPPORTED: Record<string, Kind> = {
  '--add-host': 'value',
  '--build-arg': 'value',
  '--cache-from': 'value',
  '--cpu-shares': 'value',
  '--cpuset-cpus': 'value',
  '--cpuset-mems': 'value',
  '--label': 'value',
  '--memory': 'value',
  '--memory-swap': 'value',
  '--network': 'value',
  '--shm-size': 'value',
  '--target': 'value',
  '--isolation': 'value',
  '--no-cache': 'flag',
  '--pull': 'flag',
  '--force-rm': 'flag',
  '--rm': 'flag',
  '--quiet': 'flag',
};
const SHORT: Record<string, string> = { '-m': '--memory', '-q': '--quiet', '-c': '--cpu-shares' };
/** Set by EdgeOps from module.json itself; a second value would make the image differ from its tag. */
const OWNED: Record<string, string> = {
  '--file': 'image.tag.platforms', '-f': 'image.tag.platforms', '--tag': 'image.repository/version', '-t': 'image.repository/version',
  '--platform': 'the platform input', '--iidfile': 'EdgeOps', '--output': 'EdgeOps', '-o': 'EdgeOps', '--load': 'EdgeOps', '--push': 'EdgeOps',
};

export interface ParsedBuildOptions {
  /** Normalized flags to append to `docker build`, in the order written. */
  args: string[];
  buildArgs: Record<string, string>;
  /** --no-cache or --pull: the user asked for a fresh build, so an existing image is not reused. */
  forceRebuild: boolean;
}

/** Splits one buildOptions entry like iotedgedev does (whitespace, with "double" or 'single' quotes). */
export function tokenize(entry: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (const ch of entry) {
    if (quote) {
      if (ch === quote) quote = undefined; else cur += ch;
    } else if (ch === '"' || ch === "'") { quote = ch; has = true; } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = ''; has = false;
    } else { cur += ch; has = true; }
  }
  if (quote) throw new Error(`unterminated ${quote} quote`);
  if (has || cur) out.push(cur);
  return out;
}

export function parseBuildOptions(entries: string[], where: SourceLocation = {}): ParsedBuildOptions {
  const loc = { ...where, field: where.field ?? 'image.buildOptions' };
  const tokens: string[] = [];
  for (const e of entries) {
    try { tokens.push(...tokenize(e)); } catch (err) {
      throw new InputError(`Invalid build option "${e}": ${(err as Error).message}.`, loc);
    }
  }
  const args: string[] = [];
  const buildArgs: Record<string, string> = {};
  let forceRebuild = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    let name = eq > 0 ? tok.slice(0, eq) : tok;
    name = SHORT[name] ?? name;
    if (OWNED[name] || OWNED[tok]) {
      throw new InputError(`Build option "${tok}" is not allowed: EdgeOps sets it from ${OWNED[name] ?? OWNED[tok]}.`, loc);
    }
    const kind = SUPPORTED[name];
    if (!kind) {
      throw new InputError(`Unsupported build option "${tok}". Supported: ${Object.keys(SUPPORTED).join(', ')}.`, loc,
        'Remove it from image.buildOptions in module.json, or use a supported equivalent.');
    }
    if (kind === 'flag') {
      if (eq > 0) throw new InputError(`Build option ${name} takes no value ("${tok}").`, loc);
      if (name === '--no-cache' || name === '--pull') forceRebuild = true;
      if (name !== '--quiet') args.push(name); // quiet would hide the build log the pipeline needs
      continue;
    }
    let value: string;
    if (eq > 0) value = tok.slice(eq + 1);
    else {
      if (i + 1 >= tokens.length || tokens[i + 1].startsWith('-')) throw new InputError(`Build option ${name} needs a value.`, loc);
      value = tokens[++i];
    }
    if (name === '--build-arg') {
      const k = value.split('=')[0];
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new InputError(`Invalid --build-arg "${value}": expected NAME=value.`, loc);
      buildArgs[k] = value.includes('=') ? value.slice(k.length + 1) : process.env[k] ?? '';
      value = `${k}=${buildArgs[k]}`;
    }
    args.push(name, value);
  }
  return { args, buildArgs, forceRebuild };
}
