import * as path from 'path';
import { AggregateInputError, EdgeOpsError, InputError, SourceLocation } from '../core/errors';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write';
import { offsetToLineColumn } from '../core/json';
import { Logger, silentLogger } from '../core/logger';
import { productVersion } from '../core/version';
import { isBypassed, loadSolutionEnv, parseBypassModules, registerSecrets } from '../modules/env';
import { solutionCatalog } from '../modules/images';
import { asciiJson, convertCreateOptions } from './create-options';
import { checkModuleEntries, findDuplicateKeys, findPlaceholders } from './checks';
import { findModulesContent, isLayered, isObject, Json, JsonObject, listModules } from './modules-content';
import { resolveOutputPath, summaryPathFor } from './output';
import { pinMap, readPushResults } from './push-results';
import { hasPasswordPlaceholder, PASSWORD_VAR_RE, registryCredentialsOf } from './registry';
import { ManifestSummary, SummaryModule } from './summary';
import { loadTemplate, LoadedTemplate, unresolvedErrors } from './template';
import { validateManifest } from './validate';

export type ValidationMode = 'error' | 'warning' | 'off';

export interface GenerateOptions {
  templatePath: string;
  /** Platform `${MODULES.<folder>}` resolves to. */
  platform: string;
  /** Explicit output file; otherwise CONFIG_OUTPUT_DIR (or outputDir) + iotedgedev's name. */
  outputPath?: string;
  outputDir?: string;
  envFile?: string;
  /** Process environment (default process.env); wins over .env. */
  env?: NodeJS.ProcessEnv;
  /** Push results file from IoTEdgePushModuleImages: images become repo@sha256:… */
  pushResultsPath?: string;
  validate?: ValidationMode;
  /** Leave unresolved $VAR text as is instead of failing. */
  allowLiteralDollar?: boolean;
  /** Write CONTAINER_REGISTRY_PASSWORD* values into the file (default: keep placeholders). */
  includeRegistryPasswords?: boolean;
  /** Base for relative output paths (default process.cwd()). */
  cwd?: string;
  log?: Logger;
}

export interface GeneratedManifest {
  manifest: JsonObject;
  /** The file content, formatted as iotedgedev writes it (2-space indent, ASCII escapes, no trailing newline). */
  text: string;
  outputPath: string;
  summaryPath: string;
  summary: ManifestSummary;
}

const PLATFORM_RE = /^[A-Za-z0-9_-]+$/;

/** Builds the manifest in memory; throws every problem found at once. Writes nothing. */
export function buildManifest(opts: GenerateOptions): GeneratedManifest {
  const log = opts.log ?? silentLogger;
  const cwd = opts.cwd ?? process.cwd();
  const platform = opts.platform.trim();
  if (!PLATFORM_RE.test(platform)) {
    throw new InputError(`Unknown platform "${opts.platform}"`, { field: 'platform' }, 'Use a module.json platform key such as amd64, arm32v7 or arm64v8.');
  }
  const templatePath = path.resolve(cwd, opts.templatePath);
  const templateDir = path.dirname(templatePath);
  const senv = loadSolutionEnv({ templateDir, env: opts.env, envFile: opts.envFile && path.resolve(cwd, opts.envFile) });
  const vars = senv.vars;
  registerSecrets(vars, log);

  const keepPasswords = !opts.includeRegistryPasswords;
  const template = loadTemplate(templatePath, { vars, keep: keepPasswords ? (n) => PASSWORD_VAR_RE.test(n) : undefined, allowUnresolved: opts.allowLiteralDollar });
  const errors: EdgeOpsError[] = [];
  const warnings: string[] = [];
  const warn = (m: string) => { warnings.push(m); log.warn(m); };
  const at = (pointer: string) => template.locate(pointer.replace(/\/createOptions\d{2}$/, '/createOptions'));

  if (opts.allowLiteralDollar) {
    if (template.expansion.unresolved.length) log.debug(`Left ${template.expansion.unresolved.length} unresolved $ reference(s) as text (allowLiteralDollar)`);
  } else {
    errors.push(...unresolvedErrors(template.file, template.source, template.expansion.unresolved));
  }
  for (const d of findDuplicateKeys(template.expansion.text)) {
    const loc = { file: template.file, field: d.pointer, ...offsetToLineColumn(template.source, template.expansion.toSourceOffset(d.offset)) };
    errors.push(new InputError(`duplicate key "${d.key}" (JSON keeps only the last one)`, loc));
  }

  const doc = template.doc.value;
  if (!isObject(doc) || !findModulesContent(doc)) {
    throw new InputError('Not a deployment template: no "modulesContent" object', { file: template.file, line: 1, column: 1 });
  }
  const manifest = doc;
  const entries = listModules(manifest);
  for (const p of checkModuleEntries(entries)) errors.push(new InputError(p.message, at(p.pointer)));

  const catalog = solutionCatalog(templateDir, vars, { allowUnresolved: opts.allowLiteralDollar });
  const bypass = parseBypassModules(vars.BYPASS_MODULES);
  const pins = opts.pushResultsPath ? pinMap(readPushResults(path.resolve(cwd, opts.pushResultsPath))) : undefined;
  const modules: SummaryModule[] = [];

  for (const entry of entries) {
    const settings = entry.value.settings;
    if (!isObject(settings)) continue;
    const sm: SummaryModule = { name: entry.name, kind: entry.kind, image: '', pinned: false, bypassed: isBypassed(entry.name, bypass) };
    if (typeof settings.image === 'string') {
      try {
        const r = catalog.resolve(settings.image, platform);
        if (r) {
          settings.image = r.tag;
          sm.moduleFolder = r.module.folder;
          sm.modulePlatform = r.platform;
          sm.tag = r.tag;
        }
      } catch (e) {
        if (!(e instanceof EdgeOpsError)) throw e;
        errors.push(new InputError(e.message, e.location?.line !== undefined ? e.location : at(`${entry.pointer}/settings/image`), e.hint));
      }
      if (pins && typeof settings.image === 'string') {
        const pinned = pins.get(settings.image);
        if (pinned) {
          settings.image = pinned;
          sm.pinned = true;
          sm.digest = pinned.slice(pinned.indexOf('@') + 1);
        } else if (sm.tag && !sm.bypassed) {
          warn(`${entry.name}: ${sm.tag} is not in the push results; its image is not pinned to a digest`);
        }
      }
      sm.image = String(settings.image);
    }
    for (const p of convertCreateOptions(settings)) {
      errors.push(new InputError(`${entry.name}: ${p.message}`, at(`${entry.pointer}/settings/${p.key}`)));
    }
    modules.push(sm);
  }
  for (const p of findPlaceholders(manifest as Json)) {
    if (!errors.some((e) => e.location?.field === p.pointer)) {
      errors.push(new InputError(`image placeholder ${p.text} is not expanded here: only a whole settings.image value of a module is`, at(p.pointer)));
    }
  }

  const schemaTemplate = manifest['$schema-template'];
  delete manifest['$schema-template'];

  const registries: ManifestSummary['registries'] = [];
  for (const [name, cred] of Object.entries(registryCredentialsOf(manifest))) {
    const pw = cred.password;
    let state: ManifestSummary['registries'][number]['password'] = 'none';
    if (typeof pw === 'string' && pw !== '') {
      if (hasPasswordPlaceholder(pw)) state = 'placeholder';
      else if (template.expansion.replaced.some((r) => PASSWORD_VAR_RE.test(r.name))) state = 'included';
      else state = 'literal-in-template';
      if (state !== 'placeholder') log.setSecret(pw);
      if (state === 'literal-in-template') warn(`registry "${name}": the password is written literally in the template; use $CONTAINER_REGISTRY_PASSWORD${name ? '_<SUFFIX>' : ''} instead`);
    }
    registries.push({ name, address: typeof cred.address === 'string' ? cred.address : undefined, password: state });
  }
  if (opts.includeRegistryPasswords && registries.some((r) => r.password === 'included')) {
    warn('registry passwords are written into the manifest (includeRegistryPasswords): treat the file as a secret');
  }

  const mode = opts.validate ?? 'error';
  if (mode !== 'off' && errors.length === 0) {
    for (const issue of validateManifest(manifest)) {
      const loc = at(issue.pointer);
      if (mode === 'error') errors.push(new InputError(`schema: ${issue.pointer || '/'} ${issue.message}`, loc));
      else warn(`schema: ${issue.pointer || '/'} ${issue.message} (${loc.file}:${loc.line ?? '?'}:${loc.column ?? '?'})`);
    }
  }

  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateInputError(`${errors.length} problems in ${template.file}:`, errors);

  const outputPath = resolveOutputPath({ templateFile: templatePath, schemaTemplate, platform, outputPath: opts.outputPath, outputDir: opts.outputDir, vars, cwd });
  const summary: ManifestSummary = {
    version: 1,
    generator: `edgeops ${productVersion()}`,
    template: templatePath,
    manifest: outputPath,
    platform,
    envFile: senv.envFile,
    layered: isLayered(manifest),
    modules,
    registries,
    warnings,
  };
  return { manifest, text: asciiJson(JSON.stringify(manifest, null, 2)), outputPath, summaryPath: summaryPathFor(outputPath), summary };
}

/** Writes manifest then summary, each atomically (temp + rename). */
export function writeManifest(g: GeneratedManifest): void {
  writeFileAtomic(g.outputPath, g.text);
  writeJsonAtomic(g.summaryPath, g.summary);
}

export function generateManifest(opts: GenerateOptions): GeneratedManifest {
  const g = buildManifest(opts);
  writeManifest(g);
  (opts.log ?? silentLogger).info(`Expanded ${path.basename(g.summary.template)} to ${g.outputPath}`);
  return g;
}

export type { LoadedTemplate, SourceLocation };
