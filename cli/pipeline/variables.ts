/**
 * Runtime variables of a job: case-insensitive names, secret and read-only flags,
 * `$(name)` macro expansion (unknown macros stay as written, like the agent), and the
 * environment-variable form the agent uses (Build.BuildId → BUILD_BUILDID).
 */

export interface Variable { name: string; value: string; secret: boolean; readonly: boolean }

export function envName(name: string): string {
  return name.replace(/[. ]/g, '_').toUpperCase();
}

const MACRO = /\$\(([A-Za-z0-9_.\- ]+)\)/g;

export class VariableStore {
  private readonly vars = new Map<string, Variable>();

  constructor(from?: VariableStore) {
    if (from) for (const [k, v] of from.vars) this.vars.set(k, { ...v });
  }

  clone(): VariableStore { return new VariableStore(this); }

  /** Returns false when the variable is read-only (the caller reports it). */
  set(name: string, value: string, opts: { secret?: boolean; readonly?: boolean; force?: boolean } = {}): boolean {
    const key = name.toLowerCase();
    const old = this.vars.get(key);
    if (old?.readonly && !opts.force) return false;
    // Once a secret, always a secret (as task-lib and the agent do).
    this.vars.set(key, { name: old?.name ?? name, value, secret: !!opts.secret || !!old?.secret, readonly: !!opts.readonly || !!old?.readonly });
    return true;
  }

  get(name: string): Variable | undefined { return this.vars.get(name.toLowerCase()); }
  value(name: string): string | undefined { return this.get(name)?.value; }
  has(name: string): boolean { return this.vars.has(name.toLowerCase()); }
  all(): Variable[] { return [...this.vars.values()]; }
  secrets(): string[] { return this.all().filter((v) => v.secret).map((v) => v.value); }

  /**
   * Replaces $(name) with values. Nested references in values are expanded too (bounded).
   * `secretRef` lets a caller keep secret values out of files (e.g. turn them into env references).
   */
  expand(text: string, opts: { secretRef?: (v: Variable) => string } = {}): string {
    const walk = (s: string, depth: number): string => s.replace(MACRO, (m, name: string) => {
      const v = this.get(name.trim());
      if (!v) return m;
      if (v.secret && opts.secretRef) return opts.secretRef(v);
      return depth < 10 ? walk(v.value, depth + 1) : v.value;
    });
    return walk(text, 0);
  }

  /** name → value for expressions (variables['x']). */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const v of this.vars.values()) out[v.name] = this.expand(v.value);
    return out;
  }

  /** The agent's env contract: public variables as NAME_WITH_UNDERSCORES, secrets only as SECRET_NAME (task-lib vault). */
  toEnv(opts: { includeSecretsAsSecretEnv: boolean }): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    const pub: string[] = [];
    const sec: string[] = [];
    for (const v of this.vars.values()) {
      const value = this.expand(v.value);
      if (v.secret) {
        sec.push(v.name);
        if (opts.includeSecretsAsSecretEnv) env['SECRET_' + envName(v.name)] = value;
      } else {
        pub.push(v.name);
        env[envName(v.name)] = value;
      }
    }
    if (opts.includeSecretsAsSecretEnv) {
      env.VSTS_PUBLIC_VARIABLES = JSON.stringify(pub);
      env.VSTS_SECRET_VARIABLES = JSON.stringify(sec);
    }
    return env;
  }
}

/** Whether a variable value is a runtime expression `$[ … ]`, and its body. */
export function runtimeExpression(value: string): string | undefined {
  const m = /^\s*\$\[([\s\S]*)\]\s*$/.exec(value);
  return m ? m[1] : undefined;
}
