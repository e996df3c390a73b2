import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import agent10 from './schemas/edgeagent-1.0.json';
import agent11 from './schemas/edgeagent-1.1.json';
import hub10 from './schemas/edgehub-1.0.json';
import hub11 from './schemas/edgehub-1.1.json';
import hub12 from './schemas/edgehub-1.2.json';
import { checkCreateOptions } from './create-options';
import { escapePointer, findModulesContent, isObject, listModules } from './modules-content';

/**
 * Validation of a generated manifest against bundled schemas (no network, unlike iotedgedev):
 * $edgeAgent 1.0/1.1 and $edgeHub 1.0–1.2 by their schemaVersion, module definitions of
 * layered deployments, and createOptions chunks.
 */
export interface ValidationIssue {
  /** JSON pointer in the generated manifest. */
  pointer: string;
  message: string;
}

let ajv: Ajv | undefined;
function compiler(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false });
    for (const s of [agent10, agent11, hub10, hub11, hub12]) ajv.addSchema(s as object);
  }
  return ajv;
}

function schemaFor(kind: 'edgeagent' | 'edgehub', version: unknown, fragment = ''): ValidateFunction | string {
  const major = typeof version === 'string' ? /^(\d+\.\d+)(\.0)?$/.exec(version)?.[1] : undefined;
  const known = kind === 'edgeagent' ? ['1.0', '1.1'] : ['1.0', '1.1', '1.2'];
  if (!major || !known.includes(major)) {
    return `unsupported schemaVersion ${JSON.stringify(version)} (supported: ${known.join(', ')})`;
  }
  const v = compiler().getSchema(`edgeops:${kind}-${major}.json${fragment}`);
  if (!v) throw new Error(`bundled schema ${kind}-${major}${fragment} missing`);
  return v;
}

function describe(e: ErrorObject): { path: string; message: string } {
  let path = e.instancePath;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') {
    const p = (e.params as { additionalProperty: string }).additionalProperty;
    path += '/' + escapePointer(p);
    message = 'is not an allowed property here';
  } else if (e.keyword === 'required') {
    const p = (e.params as { missingProperty: string }).missingProperty;
    message = `must have property "${p}"`;
  } else if (e.keyword === 'enum') {
    message = `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
  } else if (e.keyword === 'const') {
    message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  } else if (e.keyword === 'propertyNames') {
    path += '/' + escapePointer((e.params as { propertyName: string }).propertyName);
    message = 'is not a valid module name (letters, digits, _ . -; starting with a letter or digit)';
  }
  return { path, message };
}

function run(v: ValidateFunction | string, value: unknown, base: string, out: ValidationIssue[]) {
  if (typeof v === 'string') { out.push({ pointer: `${base}/schemaVersion`, message: v }); return; }
  if (v(value)) return;
  const seen = new Set<string>();
  for (const e of v.errors ?? []) {
    // oneOf/propertyNames produce an umbrella error plus the detail; keep the detail.
    if (e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const d = describe(e);
    const key = `${d.path} ${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer: base + d.path, message: d.message });
  }
}

export function validateManifest(doc: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const mc = findModulesContent(doc);
  if (!mc) return [{ pointer: '', message: 'must have "modulesContent"' }];
  const agent = mc.content.$edgeAgent;
  const hub = mc.content.$edgeHub;
  const agentDesired = isObject(agent) ? agent['properties.desired'] : undefined;
  const hubDesired = isObject(hub) ? hub['properties.desired'] : undefined;
  const layered = isObject(agent) && Object.keys(agent).some((k) => k.startsWith('properties.desired.'));
  if (agentDesired !== undefined) {
    const base = `${mc.pointer}/$edgeAgent/properties.desired`;
    const version = isObject(agentDesired) ? agentDesired.schemaVersion : undefined;
    run(schemaFor('edgeagent', version), agentDesired, base, issues);
  } else if (!layered) {
    issues.push({ pointer: `${mc.pointer}/$edgeAgent`, message: 'must have "properties.desired"' });
  }
  if (hubDesired !== undefined) {
    const version = isObject(hubDesired) ? hubDesired.schemaVersion : undefined;
    run(schemaFor('edgehub', version), hubDesired, `${mc.pointer}/$edgeHub/properties.desired`, issues);
  } else if (!layered && !(isObject(hub) && Object.keys(hub).some((k) => k.startsWith('properties.desired.')))) {
    issues.push({ pointer: `${mc.pointer}/$edgeHub`, message: 'must have "properties.desired"' });
  }
  // Layered deployments carry module definitions under flattened keys; check each one.
  for (const m of listModules(doc)) {
    if (m.layered) run(schemaFor('edgeagent', '1.1', '#/definitions/module'), m.value, m.pointer, issues);
    const settings = m.value.settings;
    if (isObject(settings)) {
      for (const p of checkCreateOptions(settings)) issues.push({ pointer: `${m.pointer}/settings/${p.key}`, message: p.message });
    }
  }
  if (isObject(hub)) {
    for (const [k, v] of Object.entries(hub)) {
      if (k.startsWith('properties.desired.routes.') && typeof v !== 'string' && !(isObject(v) && typeof v.route === 'string')) {
        issues.push({ pointer: `${mc.pointer}/$edgeHub/${escapePointer(k)}`, message: 'a route must be a string or {"route": …}' });
      }
    }
  }
  return issues;
}
