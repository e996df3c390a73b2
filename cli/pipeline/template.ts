import * as path from 'path';
import { InputError, SourceLocation } from '../../shared/core/errors';
import { evaluate, evaluateCondition, ExprValue, toStr } from './expressions';
import { isMap, joinPath, locOf, readYamlFile, setLoc, setSelfLoc, where, YamlMap, YamlValue } from './source';

/**
 * Compile-time pass, as the service does before a run starts: `${{ }}` expressions,
 * `${{ if }}/${{ elseif }}/${{ else }}` keys and local `template:` references
 * (steps/jobs/stages/variables) with their parameters. Source locations are carried
 * over to the expanded tree.
 */

export interface TemplateContext {
  file: string;
  repoRoot: string;
  parameters: Record<string, ExprValue>;
  variables: Record<string, string>;
  /** Runtime --var values: they win over YAML definitions at every scope. */
  overrides?: Record<string, string>;
  depth: number;
}

const LIST_KINDS = new Set(['stages', 'jobs', 'steps', 'variables']);
const WHOLE = /^\s*\$\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/;
const EMBEDDED = /\$\{\{([\s\S]*?)\}\}/g;

function exprCtx(ctx: TemplateContext) {
  return { roots: { parameters: ctx.parameters, variables: ctx.variables } };
}

function evalAt<T>(fn: () => T, loc: SourceLocation): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.message, loc);
    throw e;
  }
}

function expandString(s: string, ctx: TemplateContext, loc: SourceLocation): YamlValue {
  if (!s.includes('${{')) return s;
  const whole = WHOLE.exec(s);
  if (whole) return copyValue(evalAt(() => evaluate(whole[1], exprCtx(ctx)), loc) as YamlValue);
  return s.replace(EMBEDDED, (_m, e: string) => toStr(evalAt(() => evaluate(e, exprCtx(ctx)), loc)));
}

/** Parameter values are plain data; objects from YAML keep their locations. */
function copyValue(v: YamlValue): YamlValue {
  return v === undefined ? null : v;
}

type Directive = { kind: 'if' | 'elseif' | 'else'; expr: string } | { kind: 'other'; text: string } | undefined;

function directiveOf(key: string): Directive {
  const m = WHOLE.exec(key);
  if (!m) return undefined;
  const body = m[1].trim();
  const d = /^(if|elseif)\s+([\s\S]+)$/.exec(body);
  if (d) return { kind: d[1] as 'if' | 'elseif', expr: d[2] };
  if (body === 'else') return { kind: 'else', expr: '' };
  return { kind: 'other', text: body };
}

export function expandValue(v: YamlValue, ctx: TemplateContext, p: string, parent: object, key: string | number): YamlValue {
  if (typeof v === 'string') return expandString(v, ctx, where(parent, key, p));
  if (Array.isArray(v)) return expandSeq(v, ctx, p, undefined);
  if (isMap(v)) return expandMap(v, ctx, p);
  return v;
}

export function expandMap(m: YamlMap, ctx: TemplateContext, p: string): YamlMap {
  const out: YamlMap = {};
  setSelfLoc(out, locOf(m));
  let local = ctx;
  // Variables declared here are visible to ${{ variables.x }} in this subtree (expanded once, first).
  let preVars: YamlValue | undefined;
  if ('variables' in m) {
    const vp = joinPath(p, 'variables');
    const r = expandVariables(m, ctx, vp);
    preVars = r.value;
    local = r.ctx;
  }
  let chainMatched: boolean | undefined;
  for (const [key, value] of Object.entries(m)) {
    const kp = joinPath(p, key);
    const d = directiveOf(key);
    if (d && d.kind !== 'other') {
      const loc = where(m, key, kp);
      let take = false;
      if (d.kind === 'if') { take = evalAt(() => evaluateCondition(d.expr, exprCtx(local)), loc); chainMatched = take; }
      else if (chainMatched === undefined) throw new InputError(`\${{ ${d.kind} }} without a preceding \${{ if }}`, loc);
      else if (!chainMatched) { take = d.kind === 'else' || evalAt(() => evaluateCondition(d.expr, exprCtx(local)), loc); chainMatched = take; }
      if (d.kind === 'else') chainMatched = undefined;
      if (!take) continue;
      if (value === null) continue;
      if (!isMap(value)) throw new InputError('A conditional inside a mapping must contain a mapping', loc);
      const sub = expandMap(value, local, kp);
      for (const [k2, v2] of Object.entries(sub)) { out[k2] = v2; setLoc(out, k2, locOf(sub, k2)); }
      continue;
    }
    chainMatched = undefined;
    if (d && d.kind === 'other') {
      if (/^(each|insert)\b/.test(d.text)) {
        throw new InputError(`Template directive \${{ ${d.text.split(/\s/)[0]} }} is not supported by the local runner`, where(m, key, kp));
      }
    }
    const realKey = d ? toStr(evalAt(() => evaluate((d as { text: string }).text, exprCtx(local)), where(m, key, kp))) : key;
    const nv = key === 'variables' && preVars !== undefined ? preVars : LIST_KINDS.has(realKey) && Array.isArray(value)
      ? expandSeq(value, local, kp, realKey)
      : expandValue(value, local, kp, m, key);
    out[realKey] = nv;
    setLoc(out, realKey, locOf(m, key));
  }
  return out;
}

/** Variables in order, so `${{ variables.a }}` works for an `a` declared earlier in the same block. */
function expandVariables(m: YamlMap, ctx: TemplateContext, vp: string): { value: YamlValue; ctx: TemplateContext } {
  const v = m.variables;
  let local = ctx;
  if (isMap(v)) {
    const out: YamlMap = {};
    setSelfLoc(out, locOf(v));
    // Mapping form with `${{ if }}:` / `${{ else }}:` keys whose values are mappings of variables.
    const addEntries = (src: YamlMap, path: string) => {
      let chainMatched: boolean | undefined;
      for (const [k, val] of Object.entries(src)) {
        const d = directiveOf(k);
        if (d && d.kind !== 'other') {
          const loc = where(src, k, joinPath(path, k));
          const at = local;
          let take = false;
          if (d.kind === 'if') { take = evalAt(() => evaluateCondition(d.expr, exprCtx(at)), loc); chainMatched = take; }
          else if (chainMatched === undefined) throw new InputError(`\${{ ${d.kind} }} without a preceding \${{ if }}`, loc);
          else if (!chainMatched) { take = d.kind === 'else' || evalAt(() => evaluateCondition(d.expr, exprCtx(at)), loc); chainMatched = take; }
          if (d.kind === 'else') chainMatched = undefined;
          if (!take || val === null) continue;
          if (!isMap(val)) throw new InputError('A conditional inside variables must contain a mapping of variables', loc);
          addEntries(val, joinPath(path, k));
          continue;
        }
        chainMatched = undefined;
        out[k] = expandValue(val, local, joinPath(path, k), src, k);
        setLoc(out, k, locOf(src, k));
        local = { ...local, variables: { ...local.variables, ...staticVariables({ [k]: out[k] }), ...(ctx.overrides ?? {}) } };
      }
    };
    addEntries(v, vp);
    return { value: out, ctx: local };
  }
  if (Array.isArray(v)) {
    const out: YamlValue[] = [];
    setSelfLoc(out, locOf(v));
    // One chain state across items, so `- ${{ else }}:` follows the `- ${{ if }}:` item before it.
    const chain: ChainState = {};
    v.forEach((item, i) => {
      const one: YamlValue[] = [item];
      setLoc(one, 0, locOf(v, i));
      for (const x of expandSeq(one, local, vp, 'variables', chain)) {
        setLoc(out, out.length, locOf(x as object) ?? locOf(v, i));
        out.push(x);
        local = { ...local, variables: { ...local.variables, ...staticVariables([x]), ...(ctx.overrides ?? {}) } };
      }
    });
    return { value: out, ctx: local };
  }
  return { value: expandValue(v, ctx, vp, m, 'variables'), ctx };
}

/** Whether the current `${{ if }}/${{ elseif }}` chain already took a branch (undefined: no open chain). */
interface ChainState { matched?: boolean }

export function expandSeq(seq: YamlValue[], ctx: TemplateContext, p: string, kind: string | undefined, chain: ChainState = {}): YamlValue[] {
  const out: YamlValue[] = [];
  setSelfLoc(out, locOf(seq));
  const push = (v: YamlValue, loc: SourceLocation | undefined) => { setLoc(out, out.length, loc); out.push(v); };
  seq.forEach((item, i) => {
    const ip = joinPath(p, i);
    const loc = locOf(seq, i);
    const keys = isMap(item) ? Object.keys(item) : [];
    const d = keys.length === 1 ? directiveOf(keys[0]) : undefined;
    if (d && d.kind !== 'other' && isMap(item)) {
      const at = where(seq, i, ip);
      let take = false;
      if (d.kind === 'if') { take = evalAt(() => evaluateCondition(d.expr, exprCtx(ctx)), at); chain.matched = take; }
      else if (chain.matched === undefined) throw new InputError(`\${{ ${d.kind} }} without a preceding \${{ if }}`, at);
      else if (!chain.matched) { take = d.kind === 'else' || evalAt(() => evaluateCondition(d.expr, exprCtx(ctx)), at); chain.matched = take; }
      if (d.kind === 'else') chain.matched = undefined;
      if (!take) return;
      const body = item[keys[0]];
      if (Array.isArray(body)) { for (const v of expandSeq(body, ctx, ip, kind)) push(v, locOf(body) ?? loc); }
      else if (body !== null) push(isMap(body) ? expandMap(body, ctx, ip) : expandValue(body, ctx, ip, item, keys[0]), loc);
      return;
    }
    chain.matched = undefined;
    if (d && d.kind === 'other' && /^(each|insert)\b/.test(d.text)) {
      throw new InputError(`Template directive \${{ ${d.text.split(/\s/)[0]} }} is not supported by the local runner`, where(seq, i, ip));
    }
    if (kind && isMap(item) && typeof item.template === 'string') {
      for (const v of includeTemplate(item, kind, ctx, ip, seq, i)) push(v, locOf(v as object) ?? loc);
      return;
    }
    const v = expandValue(item, ctx, ip, seq, i);
    if (Array.isArray(v) && typeof item === 'string') { for (const x of v) push(x, loc); return; }
    push(v, loc);
  });
  return out;
}

function includeTemplate(item: YamlMap, kind: string, ctx: TemplateContext, p: string, seq: object, i: number): YamlValue[] {
  const at = where(seq, i, joinPath(p, 'template'));
  const ref = String(expandString(item.template as string, ctx, at));
  const [file, repo] = ref.split('@');
  if (repo !== undefined && repo.toLowerCase() !== 'self') {
    throw new InputError(`Templates from other repositories ('${ref}') are not supported by the local runner`, at,
      'Copy the template into this repository, or run that part of the pipeline in Azure DevOps.');
  }
  for (const k of Object.keys(item)) {
    if (k !== 'template' && k !== 'parameters') throw new InputError(`Unexpected key '${k}' beside template:`, where(item, k, joinPath(p, k)));
  }
  if (ctx.depth >= 50) throw new InputError('Templates nested more than 50 levels deep', at);
  const abs = file.startsWith('/') ? path.join(ctx.repoRoot, file) : path.resolve(path.dirname(ctx.file), file);
  const root = readYamlFile(abs);
  if (!isMap(root)) throw new InputError(`Template must be a mapping with '${kind}:'`, { file: abs, line: 1, column: 1 });
  for (const k of Object.keys(root)) {
    if (k !== 'parameters' && k !== kind) {
      throw new InputError(`Unexpected key '${k}' in a ${kind} template (expected parameters and ${kind})`, where(root, k, k));
    }
  }
  const given = item.parameters === undefined || item.parameters === null ? {} : item.parameters;
  if (!isMap(given)) throw new InputError('template parameters must be a mapping', where(item, 'parameters', joinPath(p, 'parameters')));
  const givenExpanded = expandMap(given, ctx, joinPath(p, 'parameters'));
  const params = resolveParameters(root.parameters, givenExpanded, abs, joinPath(p, 'parameters'), item);
  const body = root[kind];
  if (body === undefined || body === null) return [];
  if (!Array.isArray(body)) throw new InputError(`'${kind}' in a template must be a list`, where(root, kind, kind));
  return expandSeq(body, { ...ctx, file: abs, parameters: params, depth: ctx.depth + 1 }, kind, kind);
}

/**
 * Declared parameters (list form with name/type/default/values, or the older mapping form)
 * merged with what the caller passed. Values given as strings (e.g. from --param) are
 * converted to the declared type.
 */
export function resolveParameters(decl: YamlValue | undefined, given: YamlMap, file: string, p: string, callerParent: object): Record<string, ExprValue> {
  const out: Record<string, ExprValue> = {};
  const declared = new Map<string, { type: string; def: YamlValue | undefined; values?: YamlValue[]; loc: SourceLocation }>();
  if (Array.isArray(decl)) {
    decl.forEach((d, i) => {
      if (!isMap(d) || typeof d.name !== 'string') throw new InputError('A parameter needs a name', where(decl, i, `parameters[${i}]`));
      declared.set(d.name, {
        type: typeof d.type === 'string' ? d.type : 'string',
        def: d.default,
        values: Array.isArray(d.values) ? d.values : undefined,
        loc: where(decl, i, `parameters[${i}]`),
      });
    });
  } else if (isMap(decl)) {
    for (const [k, v] of Object.entries(decl)) declared.set(k, { type: 'object', def: v, loc: where(decl, k, `parameters.${k}`) });
  }
  for (const k of Object.keys(given)) {
    if (!declared.has(k)) {
      throw new InputError(`Unexpected parameter '${k}' (declared: ${[...declared.keys()].join(', ') || 'none'})`, where(given, k, joinPath(p, k)));
    }
  }
  for (const [name, d] of declared) {
    let v = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : d.def;
    const loc = Object.prototype.hasOwnProperty.call(given, name) ? where(given, name, joinPath(p, name)) : { ...d.loc, file };
    if (v === undefined) throw new InputError(`Parameter '${name}' has no default and was not given`, where(callerParent, undefined, p));
    v = coerceParameter(name, d.type, v, loc);
    if (d.values && !d.values.some((x) => toStr(x) === toStr(v as YamlValue))) {
      throw new InputError(`Parameter '${name}' must be one of: ${d.values.map(toStr).join(', ')} (got '${toStr(v)}')`, loc);
    }
    out[name] = v as ExprValue;
  }
  return out;
}

function coerceParameter(name: string, type: string, v: YamlValue, loc: SourceLocation): YamlValue {
  switch (type) {
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
      throw new InputError(`Parameter '${name}' must be a boolean (got '${toStr(v)}')`, loc);
    case 'number': {
      const n = typeof v === 'number' ? v : Number(v);
      if (typeof v === 'boolean' || v === null || Number.isNaN(n)) throw new InputError(`Parameter '${name}' must be a number (got '${toStr(v)}')`, loc);
      return n;
    }
    case 'string':
      if (v !== null && typeof v === 'object') throw new InputError(`Parameter '${name}' must be a string`, loc);
      return v === null ? '' : String(v);
    default:
      return v;
  }
}

/** name → value for variables whose value is known before the run (not `$[ ]`). */
export function staticVariables(vars: YamlValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (k: string, v: YamlValue) => {
    if (v === null || typeof v === 'object') return;
    const s = String(v);
    if (!/^\s*\$\[/.test(s)) out[k] = s;
  };
  if (isMap(vars)) for (const [k, v] of Object.entries(vars)) add(k, v);
  if (Array.isArray(vars)) for (const item of vars) if (isMap(item) && typeof item.name === 'string') add(item.name, item.value ?? '');
  return out;
}

export interface PipelineSource {
  root: YamlMap;
  parameters: Record<string, ExprValue>;
}

/** Expands the root pipeline file: its parameters (with --param overrides), then everything else. */
export function expandPipeline(root: YamlValue, file: string, repoRoot: string, params: Record<string, string>, variables: Record<string, string>, overrides: Record<string, string> = {}): PipelineSource {
  if (!isMap(root)) throw new InputError('A pipeline file must be a YAML mapping (stages:, jobs: or steps:)', { file, line: 1, column: 1 });
  const given: YamlMap = {};
  for (const [k, v] of Object.entries(params)) given[k] = v;
  const parameters = resolveParameters(root.parameters, given, file, '--param', root);
  const rest: YamlMap = {};
  for (const [k, v] of Object.entries(root)) if (k !== 'parameters') { rest[k] = v; setLoc(rest, k, locOf(root, k)); }
  setSelfLoc(rest, locOf(root));
  const expanded = expandMap(rest, { file, repoRoot, parameters, variables: { ...variables, ...overrides }, overrides, depth: 0 }, '');
  return { root: expanded, parameters };
}
