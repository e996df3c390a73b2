import * as fs from 'fs';
import * as path from 'path';
import fg from 'fast-glob';
import { InputError } from '../core/errors';
import { LocatedJson, readJsonFile } from '../core/json';
import { normalizeServer } from '../auth/provider';
import { findModulesContent, isObject, JsonObject } from '../manifest/modules-content';
import { fillRegistryPasswords, hasPasswordPlaceholder, registryCredentialsOf } from '../manifest/registry';
import { contentHash } from './canonical';

const DESIRED = 'properties.desired';

export interface DeploymentManifest {
  file: string;
  /** `{ modulesContent }` as IoT Hub takes it; placeholders still in place until fillCredentials. */
  content: { modulesContent: JsonObject };
  layered: boolean;
  /** sha256 of the manifest content as written (placeholders, not secrets). */
  contentHash: string;
  located: LocatedJson;
  pointer: string;
}

/** A path, or a glob that must match exactly one file. */
export function resolveManifestPath(pattern: string, cwd: string, field = 'deploymentFilePath'): string {
  if (!pattern) throw new InputError('No deployment manifest given.', { field });
  if (!fg.isDynamicPattern(pattern)) {
    const abs = path.resolve(cwd, pattern);
    if (!fs.existsSync(abs)) throw new InputError(`Deployment manifest not found: ${abs}`, { file: abs, field });
    return abs;
  }
  const found = fg.sync(pattern.replace(/\\/g, '/'), { cwd, absolute: true, onlyFiles: true, dot: false }).sort();
  if (found.length === 0) throw new InputError(`No file matches the deployment manifest pattern '${pattern}' (in ${cwd}).`, { field });
  if (found.length > 1) {
    throw new InputError(`The deployment manifest pattern '${pattern}' matches ${found.length} files; it must match exactly one:\n${found.map((f) => '  ' + f).join('\n')}`, { field }, 'Make the pattern more specific (e.g. include the platform: deployment.amd64.json).');
  }
  return found[0];
}

/**
 * Reads the manifest IoTEdgeGenerateManifest wrote (`{"modulesContent":…}` or `{"content":{"modulesContent":…}}`)
 * and checks what IoT Hub would reject, with line and column: module entries must hold
 * `properties.desired` (base) or `properties.desired.<path>` keys (layered).
 */
export function loadDeploymentManifest(file: string, opts: { layered?: boolean } = {}): DeploymentManifest {
  const located = readJsonFile(file);
  const mc = findModulesContent(located.value);
  if (!mc) {
    throw new InputError('Not a deployment manifest: expected "modulesContent" (or "content": {"modulesContent": …}) at the top level.', located.locate(''),
      'Point at the manifest IoT Edge: generate deployment manifest wrote, not the template.');
  }
  for (const [mod, entry] of Object.entries(mc.content)) {
    const where = located.locate(`${mc.pointer}/${mod.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (!isObject(entry)) throw new InputError(`modulesContent.${mod} must be an object.`, where);
    for (const key of Object.keys(entry)) {
      if (key !== DESIRED && !key.startsWith(DESIRED + '.')) throw new InputError(`modulesContent.${mod}: unexpected key "${key}" (expected "${DESIRED}" or "${DESIRED}.<path>").`, where);
    }
  }
  const agent = mc.content.$edgeAgent;
  const hub = mc.content.$edgeHub;
  const contentIsLayered = !(isObject(agent) && isObject(agent[DESIRED]));
  if (opts.layered === true && !contentIsLayered) {
    throw new InputError('Layered deployment requested, but the manifest sets the whole $edgeAgent "properties.desired": as a layered deployment it would replace the base deployment.', located.locate(`${mc.pointer}/$edgeAgent`),
      'Use "properties.desired.modules.<name>" keys for a layered deployment, or turn the layered option off.');
  }
  if (opts.layered === false && contentIsLayered) {
    throw new InputError('The manifest is layered (no full $edgeAgent "properties.desired"), but a base deployment was requested.', located.locate(mc.pointer), 'Turn the layered option on, or deploy a full manifest.');
  }
  if (!contentIsLayered && !(isObject(hub) && isObject(hub[DESIRED]))) {
    throw new InputError('A base deployment needs $edgeHub "properties.desired" (routes, schemaVersion).', located.locate(mc.pointer));
  }
  const content = { modulesContent: JSON.parse(JSON.stringify(mc.content)) as JsonObject };
  return { file, content, layered: contentIsLayered, contentHash: contentHash(content), located, pointer: mc.pointer };
}

export interface SuppliedRegistryCredential {
  server: string;
  username: string;
  password: string;
}

/**
 * Fills registry credential placeholders in memory: first by registry address from the supplied
 * credentials (service connections), then `$CONTAINER_REGISTRY_PASSWORD[_X]` from variables.
 * Returns the deployable content (a copy); the manifest object keeps its placeholders.
 */
export function fillCredentials(m: DeploymentManifest, creds: SuppliedRegistryCredential[], vars: Record<string, string | undefined> = {}): { modulesContent: JsonObject } {
  const copy = { modulesContent: JSON.parse(JSON.stringify(m.content.modulesContent)) as JsonObject };
  const byServer = new Map(creds.map((c) => [normalizeServer(c.server), c]));
  for (const cred of Object.values(registryCredentialsOf(copy))) {
    const supplied = typeof cred.address === 'string' ? byServer.get(normalizeServer(cred.address)) : undefined;
    if (!supplied) continue;
    if (typeof cred.password === 'string' && hasPasswordPlaceholder(cred.password)) cred.password = supplied.password;
    if (typeof cred.username !== 'string' || cred.username === '' || /\$\{?CONTAINER_REGISTRY_USERNAME/.test(cred.username)) cred.username = supplied.username;
  }
  const missing = fillRegistryPasswords(copy, vars);
  if (missing.length > 0) {
    const names = Object.entries(registryCredentialsOf(copy)).filter(([, c]) => typeof c.password === 'string' && hasPasswordPlaceholder(c.password));
    throw new InputError(
      `Registry credentials left as placeholders and no value supplied: ${names.map(([n, c]) => `${n} (${String(c.address ?? '?')})`).join(', ')} — missing ${missing.join(', ')}.`,
      { file: m.file, field: 'registryCredentials' },
      'Add a Docker registry or Azure connection for that registry, or set the variable as a secret.',
    );
  }
  return copy;
}

/** Every registry password in the content (to register as secrets before anything prints). */
export function registryPasswords(content: unknown): string[] {
  return Object.values(registryCredentialsOf(content)).map((c) => c.password).filter((p): p is string => typeof p === 'string' && p !== '' && !hasPasswordPlaceholder(p));
}
