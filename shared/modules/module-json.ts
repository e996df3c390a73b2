import * as fs from 'fs';
import * as path from 'path';
import { readUserTextFile } from '../core/read-file';
import { InputError } from '../core/errors';
import { parseJsonText } from '../core/json';
import { offsetToLineColumn } from '../core/json';
import { expandVariables, jsonEscape } from './expand-vars';
import { ModuleInfo } from './types';

export interface LoadModuleOptions {
  /** Variables for $VAR / ${VAR} inside module.json. */
  vars: Record<string, string>;
  /** Leave unresolved variables as text instead of failing. */
  allowUnresolved?: boolean;
}

/** Reads <dir>/module.json, expands variables and validates the image section. */
export function loadModuleJson(dir: string, folder: string, opts: LoadModuleOptions): ModuleInfo {
  const abs = path.resolve(dir);
  const file = path.join(abs, 'module.json');
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) {
    throw new InputError(`Module folder not found: ${abs}`, { file: abs });
  }
  if (!fs.existsSync(file)) {
    throw new InputError(`Module folder ${abs} has no module.json`, { file }, 'Every module folder referenced by the template needs a module.json with image.repository and image.tag.platforms.');
  }
  const source = readUserTextFile(file);
  const exp = expandVariables(source, { lookup: (n) => opts.vars[n], escape: jsonEscape });
  if (exp.unresolved.length > 0 && !opts.allowUnresolved) {
    const r = exp.unresolved[0];
    const names = [...new Set(exp.unresolved.map((u) => u.name || '(empty)'))].join(', ');
    throw new InputError(`Unresolved variable(s) in module.json: ${names}`, { file, ...offsetToLineColumn(source, r.offset) },
      'Define them in the .env file or the environment.');
  }
  let doc;
  try {
    doc = parseJsonText<Record<string, unknown>>(exp.text, file);
  } catch (e) {
    // Report the position in the file as written, not in the expanded text.
    if (e instanceof InputError && e.location?.line !== undefined) {
      const off = lineColumnToOffset(exp.text, e.location.line, e.location.column ?? 1);
      throw new InputError(e.message, { file, ...offsetToLineColumn(source, exp.toSourceOffset(off)) });
    }
    throw e;
  }
  const at = (pointer: string) => {
    const loc = doc.locate(pointer);
    if (loc.line === undefined) return loc;
    const off = lineColumnToOffset(exp.text, loc.line, loc.column ?? 1);
    return { ...loc, ...offsetToLineColumn(source, exp.toSourceOffset(off)) };
  };
  const json = doc.value;
  const image = json?.image as Record<string, unknown> | undefined;
  if (!image || typeof image !== 'object' || Array.isArray(image)) throw new InputError('module.json has no "image" object', at(''));
  const repository = image.repository;
  if (typeof repository !== 'string' || repository.trim() === '') throw new InputError('image.repository must be a non-empty string', at('/image/repository'));
  const tag = (image.tag ?? {}) as Record<string, unknown>;
  if (typeof tag !== 'object' || Array.isArray(tag)) throw new InputError('image.tag must be an object', at('/image/tag'));
  const rawVersion = tag.version ?? '0.0.0';
  if (typeof rawVersion !== 'string') throw new InputError('image.tag.version must be a string', at('/image/tag/version'));
  const version = rawVersion === '' ? '0.0.0' : rawVersion;
  const rawPlatforms = tag.platforms;
  if (!rawPlatforms || typeof rawPlatforms !== 'object' || Array.isArray(rawPlatforms)) {
    throw new InputError('image.tag.platforms must be an object {platform: Dockerfile}', at('/image/tag/platforms'));
  }
  const platforms: Record<string, string> = {};
  for (const [p, df] of Object.entries(rawPlatforms as Record<string, unknown>)) {
    if (typeof df !== 'string' || df === '') throw new InputError(`image.tag.platforms.${p} must be a Dockerfile path`, at(`/image/tag/platforms/${p}`));
    platforms[p] = path.resolve(abs, df);
  }
  const bo = image.buildOptions ?? [];
  if (!Array.isArray(bo) || bo.some((o) => typeof o !== 'string')) throw new InputError('image.buildOptions must be an array of strings', at('/image/buildOptions'));
  const ctx = image.contextPath ?? '.';
  if (typeof ctx !== 'string') throw new InputError('image.contextPath must be a string', at('/image/contextPath'));
  return {
    folder,
    dir: abs,
    moduleJsonPath: file,
    repository: repository.trim().toLowerCase(),
    version,
    platforms,
    buildOptions: bo as string[],
    contextPath: path.resolve(abs, ctx),
    language: typeof json.language === 'string' ? json.language : undefined,
  };
}

export function lineColumnToOffset(text: string, line: number, column: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off + column - 1;
}
