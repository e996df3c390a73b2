import * as path from 'path';
import { AggregateInputError, EdgeOpsError, InputError } from '../core/errors';
import { Logger, silentLogger } from '../core/logger';
import { listModules } from '../manifest/modules-content';
import { loadTemplate } from '../manifest/template';
import { isBypassed, loadSolutionEnv, parseBypassModules, registerSecrets } from './env';
import { solutionCatalog } from './images';
import { ModuleBuildSpec, ModuleInfo } from './types';

export interface DiscoverOptions {
  /** Platforms to produce specs for; `${MODULES.x}` resolves to each in turn. */
  platforms: string[];
  /** Process environment (default process.env); wins over the .env file. */
  env?: NodeJS.ProcessEnv;
  /** Explicit .env file (default: .env beside the template, or DOTENV_FILE). */
  envFile?: string;
  /** Overrides BYPASS_MODULES: manifest module names (or "*") whose images are not built/pushed. */
  bypassModules?: string[];
  /** Check Dockerfiles exist (default true). */
  checkDockerfiles?: boolean;
  log?: Logger;
}

export interface DiscoverResult {
  /** Modules the template uses, one per module folder. */
  modules: ModuleInfo[];
  /** One per (module image used by the template, platform), excluding images only bypassed modules use. */
  specs: ModuleBuildSpec[];
  /** Specs skipped because every manifest module using them is in BYPASS_MODULES. */
  bypassed: ModuleBuildSpec[];
  /** The merged variables (process env over .env). */
  vars: Record<string, string>;
}

/**
 * Which module images a deployment template needs, for build and push: the template's
 * `${MODULES.*}` / `${MODULEDIR<…>}` placeholders and literal computed tags, resolved
 * against module.json files as iotedgedev does.
 */
export function discoverModules(templatePath: string, opts: DiscoverOptions): DiscoverResult {
  const log = opts.log ?? silentLogger;
  if (opts.platforms.length === 0) throw new InputError('At least one platform is required');
  const templateDir = path.dirname(path.resolve(templatePath));
  const senv = loadSolutionEnv({ templateDir, env: opts.env, envFile: opts.envFile });
  const vars = senv.vars;
  registerSecrets(vars, log);
  // Unresolved plain variables are the manifest step's business; discovery only needs the images.
  const template = loadTemplate(templatePath, { vars });
  const catalog = solutionCatalog(templateDir, vars, { checkDockerfiles: opts.checkDockerfiles });
  const bypass = opts.bypassModules ?? parseBypassModules(vars.BYPASS_MODULES);
  const entries = listModules(template.doc.value);
  const byTag = new Map<string, ModuleBuildSpec>();
  const modules = new Map<string, ModuleInfo>();
  const errors: EdgeOpsError[] = [];
  for (const platform of opts.platforms) {
    for (const entry of entries) {
      const settings = entry.value.settings;
      const image = settings && typeof settings === 'object' && !Array.isArray(settings) ? settings.image : undefined;
      if (typeof image !== 'string') continue;
      try {
        const r = catalog.resolve(image, platform);
        if (!r) continue;
        modules.set(r.module.dir, r.module);
        let spec = byTag.get(r.tag);
        if (!spec) {
          spec = {
            module: r.module,
            platform: r.platform,
            basePlatform: r.platform.replace(/\.debug$/, ''),
            tag: r.tag,
            dockerfile: r.dockerfile,
            contextPath: r.module.contextPath,
            buildOptions: r.module.buildOptions,
            manifestModuleNames: [],
          };
          byTag.set(r.tag, spec);
        }
        if (!spec.manifestModuleNames.includes(entry.name)) spec.manifestModuleNames.push(entry.name);
      } catch (e) {
        if (!(e instanceof EdgeOpsError)) throw e;
        const loc = e.location ?? template.locate(`${entry.pointer}/settings/image`);
        const msg = `${e.message}`;
        if (!errors.some((x) => x.message === msg)) errors.push(new InputError(msg, loc, e.hint));
      }
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateInputError(`${errors.length} problems with module images in ${template.file}:`, errors);
  const specs: ModuleBuildSpec[] = [];
  const bypassed: ModuleBuildSpec[] = [];
  for (const spec of byTag.values()) {
    (spec.manifestModuleNames.every((n) => isBypassed(n, bypass)) ? bypassed : specs).push(spec);
  }
  for (const s of bypassed) log.info(`Skipping ${s.tag}: ${s.manifestModuleNames.join(', ')} in BYPASS_MODULES`);
  return { modules: [...modules.values()], specs, bypassed, vars };
}
