import * as fs from 'fs';
import * as path from 'path';
import { EdgeOpsError } from '../core/errors';
import { loadModuleJson } from './module-json';
import { ModuleInfo } from './types';

/** `<repository lowercased>:<version>[-<CONTAINER_TAG>]-<platform>`, as iotedgedev names images. */
export function imageTag(repository: string, version: string, platform: string, containerTag?: string): string {
  return `${repository.toLowerCase()}:${version}${containerTag ? '-' + containerTag : ''}-${platform}`;
}

// Docker reference grammar (distribution/reference), kept to what matters for a clear error.
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Why Docker would reject this reference, or undefined when it is fine. */
export function checkImageReference(ref: string): string | undefined {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const repo = colon > lastSlash ? name.slice(0, colon) : name;
  const tag = colon > lastSlash ? name.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG_RE.test(tag)) return `tag "${tag}" is not a valid Docker tag (letters, digits, _ . -, max 128, not starting with . or -)`;
  const parts = repo.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0])) parts.shift();
  for (const p of parts) if (!PATH_COMPONENT_RE.test(p)) return `repository "${repo}" is not a valid Docker repository name`;
  return undefined;
}

export interface ResolvedImage {
  module: ModuleInfo;
  /** module.json platform key, e.g. "amd64" or "amd64.debug". */
  platform: string;
  tag: string;
  dockerfile: string;
  /** The placeholder text it came from; undefined when the literal tag was written. */
  placeholder?: string;
}

/** A problem with an image reference, without location (the caller knows where the image was). */
export class ImageResolveError extends EdgeOpsError {
  constructor(message: string, hint?: string) {
    super('ImageResolveError', message, { hint });
  }
}

const MODULES_RE = /^\$\{MODULES\.(.+)\}$/;
const MODULEDIR_RE = /^\$\{MODULEDIR<(.+)>(\..+)?\}$/;

export interface CatalogOptions {
  templateDir: string;
  /** MODULES_PATH, relative to the template folder. */
  modulesPath: string;
  vars: Record<string, string>;
  containerTag?: string;
  /** Check that the Dockerfile of a used platform exists (default true). */
  checkDockerfiles?: boolean;
  /** Leave unresolved variables in module.json as text. */
  allowUnresolved?: boolean;
}

/** The catalog of a solution laid out as iotedgedev does: MODULES_PATH (default "modules") under the template folder, CONTAINER_TAG. */
export function solutionCatalog(templateDir: string, vars: Record<string, string>, extra: Pick<CatalogOptions, 'checkDockerfiles' | 'allowUnresolved'> = {}): ModuleCatalog {
  return new ModuleCatalog({ templateDir, modulesPath: vars.MODULES_PATH || 'modules', vars, containerTag: vars.CONTAINER_TAG || undefined, ...extra });
}

/**
 * The modules of a solution, loaded lazily: `${MODULES.<folder>}` from MODULES_PATH,
 * `${MODULEDIR<path>}` from any folder relative to the template, and literal images
 * equal to a computed tag.
 */
export class ModuleCatalog {
  readonly modulesDir: string;
  private readonly cache = new Map<string, ModuleInfo | Error>();
  private tagIndex?: Map<string, { module: ModuleInfo; platform: string }>;

  constructor(private readonly opts: CatalogOptions) {
    this.modulesDir = path.resolve(opts.templateDir, opts.modulesPath);
  }

  /** Folder names under MODULES_PATH that hold a module.json. */
  folders(): string[] {
    if (!fs.existsSync(this.modulesDir) || !fs.statSync(this.modulesDir).isDirectory()) return [];
    return fs.readdirSync(this.modulesDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && fs.existsSync(path.join(this.modulesDir, d.name, 'module.json')))
      .map((d) => d.name)
      .sort();
  }

  /** Loads (once) the module in `dir`; throws the module.json error. */
  load(dir: string, folder: string): ModuleInfo {
    const key = path.resolve(dir);
    let m = this.cache.get(key);
    if (!m) {
      try {
        m = loadModuleJson(key, folder, { vars: this.opts.vars, allowUnresolved: this.opts.allowUnresolved });
      } catch (e) {
        m = e as Error;
      }
      this.cache.set(key, m);
    }
    if (m instanceof Error) throw m;
    return m;
  }

  tagFor(module: ModuleInfo, platform: string): string {
    return imageTag(module.repository, module.version, platform, this.opts.containerTag);
  }

  /**
   * The module image an image string names for `platform`, null for an external image.
   * Throws ImageResolveError / InputError for a placeholder that cannot be resolved.
   */
  resolve(image: string, platform: string): ResolvedImage | null {
    let m = MODULES_RE.exec(image);
    if (m) {
      const inner = m[1];
      const folders = this.folders();
      // Longest folder name first, so "a.b" wins over "a" when both exist.
      const folder = [...folders].sort((a, b) => b.length - a.length).find((f) => inner === f || inner.startsWith(f + '.'));
      if (!folder) {
        const name = inner.split('.')[0];
        const dir = path.join(this.modulesDir, name);
        if (fs.existsSync(dir)) throw new ImageResolveError(`${image}: module folder ${dir} has no module.json`);
        throw new ImageResolveError(`${image}: no module folder "${name}" under ${this.modulesDir}`,
          folders.length ? `Module folders found: ${folders.join(', ')}.` : 'Set MODULES_PATH if modules live elsewhere.');
      }
      const module = this.load(path.join(this.modulesDir, folder), folder);
      return this.pick(module, image, inner === folder ? '' : inner.slice(folder.length + 1), platform);
    }
    m = MODULEDIR_RE.exec(image);
    if (m) {
      const rel = m[1];
      const dir = path.resolve(this.opts.templateDir, rel);
      const module = this.load(dir, rel);
      return this.pick(module, image, m[2] ? m[2].slice(1) : '', platform);
    }
    if (image.includes('${MODULES.') || image.includes('${MODULEDIR<')) {
      throw new ImageResolveError(`${image}: an image placeholder must be the whole image value`);
    }
    const hit = this.literalIndex().get(image);
    if (hit) return { module: hit.module, platform: hit.platform, tag: image, dockerfile: hit.module.platforms[hit.platform] };
    return null;
  }

  private pick(module: ModuleInfo, placeholder: string, suffix: string, platform: string): ResolvedImage {
    const key = suffix === '' ? platform : suffix === 'debug' ? `${platform}.debug` : suffix;
    const dockerfile = module.platforms[key];
    if (!dockerfile) {
      throw new ImageResolveError(
        `${placeholder}: platform "${key}" is not defined in ${module.moduleJsonPath} (image.tag.platforms has: ${Object.keys(module.platforms).join(', ') || 'none'})`,
        'Add the platform with its Dockerfile to module.json, or generate for a platform the module supports.');
    }
    if (this.opts.checkDockerfiles !== false && !fs.existsSync(dockerfile)) {
      throw new ImageResolveError(`${placeholder}: Dockerfile for platform "${key}" not found: ${dockerfile} (from ${module.moduleJsonPath})`);
    }
    const tag = this.tagFor(module, key);
    const bad = checkImageReference(tag);
    if (bad) throw new ImageResolveError(`${placeholder}: image ${tag} would be rejected by Docker: ${bad}`, 'Check image.repository, image.tag.version and CONTAINER_TAG.');
    return { module, platform: key, tag, dockerfile, placeholder };
  }

  /** Computed tag -> module, over every loadable module in MODULES_PATH (for literal image references). */
  private literalIndex(): Map<string, { module: ModuleInfo; platform: string }> {
    if (!this.tagIndex) {
      this.tagIndex = new Map();
      for (const folder of this.folders()) {
        let module: ModuleInfo;
        try { module = this.load(path.join(this.modulesDir, folder), folder); } catch { continue; }
        for (const p of Object.keys(module.platforms)) this.tagIndex.set(this.tagFor(module, p), { module, platform: p });
      }
    }
    return this.tagIndex;
  }
}
