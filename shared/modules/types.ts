/**
 * The contract between module discovery (manifest engine) and build/push.
 * Discovery reads deployment.template.json + modules/<folder>/module.json + .env
 * exactly as iotedgedev does; build and push consume ModuleBuildSpec lists.
 */

export type Platform = 'amd64' | 'arm32v7' | 'arm64v8' | string;

/** One module.json, resolved (variables expanded). */
export interface ModuleInfo {
  /** Folder name under MODULES_PATH (what ${MODULES.<folder>} names); for ${MODULEDIR<path>} the path as written. */
  folder: string;
  /** Absolute path of the module folder. */
  dir: string;
  /** Absolute path of module.json. */
  moduleJsonPath: string;
  /** image.repository, lowercased as iotedgedev does. */
  repository: string;
  /** image.tag.version (default 0.0.0). */
  version: string;
  /** platform -> absolute Dockerfile path (image.tag.platforms). Keys as written, e.g. "amd64", "amd64.debug". */
  platforms: Record<string, string>;
  /** image.buildOptions, raw strings as written in module.json. */
  buildOptions: string[];
  /** Absolute build context (image.contextPath, default the module folder). */
  contextPath: string;
  /** module.json "language", when present (informational). */
  language?: string;
}

/** What build and push need for one (module, platform) image. */
export interface ModuleBuildSpec {
  module: ModuleInfo;
  /** The module.json platform key, e.g. "amd64" or "amd64.debug". */
  platform: Platform;
  /** The Docker platform part of `platform` without ".debug" (e.g. "amd64"), for `docker build --platform`. */
  basePlatform: string;
  /** Full image reference as the manifest uses it: <repository>:<version>[-<CONTAINER_TAG>]-<platform>. */
  tag: string;
  dockerfile: string;
  contextPath: string;
  buildOptions: string[];
  /** Manifest module names that use this image (for BYPASS_MODULES and reporting). */
  manifestModuleNames: string[];
}
