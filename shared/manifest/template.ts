import * as fs from 'fs';
import * as path from 'path';
import { readUserTextFile } from '../core/read-file';
import { AggregateInputError, InputError, SourceLocation } from '../core/errors';
import { LocatedJson, offsetToLineColumn, parseJsonText } from '../core/json';
import { ExpandResult, expandVariables, jsonEscape, VarRef } from '../modules/expand-vars';
import { lineColumnToOffset } from '../modules/module-json';

/**
 * A deployment template read the iotedgedev way — variables expanded over the raw
 * text before JSON parsing — but with JSON-escaped values and every location
 * (parse errors, unresolved names, JSON pointers) reported in the file as written.
 */
export interface LoadedTemplate {
  file: string;
  dir: string;
  /** The file as written. */
  source: string;
  expansion: ExpandResult;
  doc: LocatedJson<unknown>;
  /** Line/column in the source file for a JSON pointer (walks up to the nearest existing node). */
  locate(pointer: string): SourceLocation;
}

export interface TemplateOptions {
  vars: Record<string, string>;
  /** Names not expanded even when set (registry passwords kept as placeholders). */
  keep?(name: string): boolean;
  /** Unresolved `$NAME` text is intended (allowLiteralDollar): don't blame it for a JSON error. */
  allowUnresolved?: boolean;
}

/** `$NAME` or `${NAME}` as written. */
export function refText(ref: VarRef): string {
  return ref.braced ? `\${${ref.name}}` : `$${ref.name}`;
}

/** One located error per unresolved reference, in file order. */
export function unresolvedErrors(file: string, source: string, refs: VarRef[]): InputError[] {
  return refs.map((ref) => new InputError(`unresolved variable ${refText(ref)}`, { file, ...offsetToLineColumn(source, ref.offset) }));
}

export function loadTemplate(file: string, opts: TemplateOptions): LoadedTemplate {
  const abs = path.resolve(file);
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new InputError(`Template path is a directory, expected deployment.template.json: ${abs}`, { file: abs });
  const source = readUserTextFile(abs, 'Deployment template');
  const expansion = expandVariables(source, { lookup: (n) => opts.vars[n], escape: jsonEscape, keep: opts.keep });
  const toSource = (loc: SourceLocation): SourceLocation => {
    if (loc.line === undefined) return loc;
    const off = lineColumnToOffset(expansion.text, loc.line, loc.column ?? 1);
    return { ...loc, file: abs, ...offsetToLineColumn(source, expansion.toSourceOffset(off)) };
  };
  let doc: LocatedJson<unknown>;
  try {
    doc = parseJsonText(expansion.text, abs);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const refs = expansion.replaced.length ? ' (after variable expansion; a value may have broken the JSON)' : '';
    const parseError = new InputError(e.message + refs, toSource(e.location ?? {}));
    // An unquoted unresolved `${X}` is what broke the JSON: name the variables first, the parse error last.
    if (expansion.unresolved.length === 0 || opts.allowUnresolved) throw parseError;
    const errors = [...unresolvedErrors(abs, source, expansion.unresolved), parseError];
    throw new AggregateInputError(`${expansion.unresolved.length} unresolved variable(s) in ${abs}:`, errors);
  }
  return {
    file: abs,
    dir: path.dirname(abs),
    source,
    expansion,
    doc,
    locate(pointer: string): SourceLocation {
      let p = pointer;
      for (;;) {
        const loc = doc.locate(p);
        if (loc.line !== undefined || p === '') return { ...toSource(loc), field: pointer };
        p = p.slice(0, p.lastIndexOf('/'));
      }
    },
  };
}
