import { isObject, findModulesContent, JsonObject } from './modules-content';

/**
 * Registry credentials as iotedgedev reads them from the environment:
 * CONTAINER_REGISTRY_SERVER/USERNAME/PASSWORD, plus any number of sets with the same
 * `_<SUFFIX>` (CONTAINER_REGISTRY_SERVER_ACR2 …).
 */
export interface RegistryCredentialSet {
  /** '' for the unsuffixed set, otherwise the suffix without the underscore. */
  suffix: string;
  server?: string;
  username?: string;
  password?: string;
}

const CRED_RE = /^CONTAINER_REGISTRY_(SERVER|USERNAME|PASSWORD)(?:_(.+))?$/i;

export function registryCredentialSets(vars: Record<string, string | undefined>): RegistryCredentialSet[] {
  const sets = new Map<string, RegistryCredentialSet>();
  for (const [k, v] of Object.entries(vars)) {
    const m = CRED_RE.exec(k);
    if (!m || v === undefined) continue;
    const suffix = m[2] ?? '';
    const set = sets.get(suffix.toUpperCase()) ?? { suffix };
    set[m[1].toLowerCase() as 'server' | 'username' | 'password'] = v;
    sets.set(suffix.toUpperCase(), set);
  }
  return [...sets.values()].sort((a, b) => a.suffix.localeCompare(b.suffix));
}

/** `$CONTAINER_REGISTRY_PASSWORD[_X]` / `${…}` — a placeholder the deploy step fills in memory. */
export const PASSWORD_VAR_RE = /^CONTAINER_REGISTRY_PASSWORD(_\w+)?$/;
const PASSWORD_PLACEHOLDER_RE = /\$(?:\{(CONTAINER_REGISTRY_PASSWORD(?:_\w+)?)\}|(CONTAINER_REGISTRY_PASSWORD(?:_\w+)?))/g;

/** registryCredentials of a manifest or template: name -> {username, password, address}. */
export function registryCredentialsOf(doc: unknown): Record<string, JsonObject> {
  const mc = findModulesContent(doc);
  const agent = mc && mc.content.$edgeAgent;
  const desired = isObject(agent) ? agent['properties.desired'] : undefined;
  const runtime = isObject(desired) ? desired.runtime : undefined;
  const settings = isObject(runtime) ? runtime.settings : undefined;
  const creds = isObject(settings) ? settings.registryCredentials : undefined;
  const out: Record<string, JsonObject> = {};
  if (isObject(creds)) for (const [k, v] of Object.entries(creds)) if (isObject(v)) out[k] = v;
  return out;
}

/**
 * Replaces password placeholders left in a manifest by the generator with their values,
 * in memory (for the deploy step). Returns the names that had no value.
 */
export function fillRegistryPasswords(doc: unknown, vars: Record<string, string | undefined>): string[] {
  const missing = new Set<string>();
  for (const cred of Object.values(registryCredentialsOf(doc))) {
    if (typeof cred.password !== 'string') continue;
    cred.password = cred.password.replace(PASSWORD_PLACEHOLDER_RE, (all, a?: string, b?: string) => {
      const name = (a ?? b)!;
      const v = vars[name];
      if (v === undefined) { missing.add(name); return all; }
      return v;
    });
  }
  return [...missing];
}

/** Does this string still hold a password placeholder? */
export function hasPasswordPlaceholder(s: string): boolean {
  PASSWORD_PLACEHOLDER_RE.lastIndex = 0;
  return PASSWORD_PLACEHOLDER_RE.test(s);
}
