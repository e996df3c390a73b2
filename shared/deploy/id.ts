import { InputError } from '../core/errors';

/** Values a deployment id template may use: `{name}-{buildId}-{stage}` and friends. */
export interface IdVars {
  name: string;
  buildId?: string;
  stage?: string;
  attempt?: string;
  commit?: string;
  pipeline?: string;
}

export const DEFAULT_ID_TEMPLATE = '{name}-{buildId}-{stage}';
/** Tokens that change every run: the series (what retention and rollback group by) leaves them out. */
const RUN_TOKENS = new Set(['buildId', 'attempt', 'commit']);
const TOKENS = new Set(['name', 'buildId', 'stage', 'attempt', 'commit', 'pipeline']);
export const MAX_ID_LENGTH = 128;

/** IoT Hub configuration ids: lowercase letters, digits and - : + % _ # * ? ! ( ) , = @ ; ' ('$' is reserved). */
const ID_CHAR = /[a-z0-9\-:+%_#*?!(),=@;']/;

function expand(template: string, vars: IdVars, skip: Set<string>, field: string): string {
  return template.replace(/\{([^{}]*)\}/g, (_all, token: string) => {
    if (!TOKENS.has(token)) {
      throw new InputError(`Unknown token {${token}} in deployment id template '${template}'. Known: ${[...TOKENS].map((t) => `{${t}}`).join(' ')}.`, { field });
    }
    if (skip.has(token)) return '';
    const v = vars[token as keyof IdVars];
    return token === 'commit' && v ? v.slice(0, 8) : v ?? '';
  });
}

/**
 * Lowercases and replaces every character IoT Hub does not allow with '-', collapsing runs so
 * an empty token leaves no '--' or trailing '-'.
 */
export function normalizeDeploymentId(raw: string, field = 'deploymentId'): string {
  const mapped = [...raw.toLowerCase()].map((c) => (ID_CHAR.test(c) ? c : '-')).join('');
  const id = mapped.replace(/-{2,}/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  if (!id) throw new InputError(`Deployment id '${raw}' is empty after normalization to IoT Hub's id rules (lowercase letters, digits, - : + % _ # * ? ! ( ) , = @ ; ').`, { field });
  if (id.length > MAX_ID_LENGTH) {
    throw new InputError(`Deployment id '${id}' is ${id.length} characters; IoT Hub allows at most ${MAX_ID_LENGTH}.`, { field }, 'Shorten the deployment name or the id template.');
  }
  return id;
}

export function renderDeploymentId(template: string, vars: IdVars, field = 'deploymentId'): string {
  return normalizeDeploymentId(expand(template || DEFAULT_ID_TEMPLATE, vars, new Set(), field), field);
}

/** The id template without its per-run tokens: every release of one pipeline+stage shares it. */
export function renderSeries(template: string, vars: IdVars, field = 'deploymentId'): string {
  return normalizeDeploymentId(expand(template || DEFAULT_ID_TEMPLATE, vars, RUN_TOKENS, field), field);
}

/** Label values: up to 128 of A-Z a-z 0-9 - : . + % _ # * ? ! ( ) , = @ ; ' */
export function labelValue(v: string): string {
  return v.replace(/[^A-Za-z0-9\-:.+%_#*?!(),=@;']/g, '_').slice(0, 128);
}

export const LABELS = {
  series: 'edgeops.series',
  pipeline: 'edgeops.pipeline',
  run: 'edgeops.run',
  commit: 'edgeops.commit',
  stage: 'edgeops.stage',
  contentHash: 'edgeops.contentHash',
  managedBy: 'edgeops.managedBy',
} as const;

export interface LabelInfo {
  series: string;
  contentHash: string;
  pipeline?: string;
  run?: string;
  commit?: string;
  stage?: string;
}

export function deploymentLabels(info: LabelInfo, extra: Record<string, string> = {}): Record<string, string> {
  const labels: Record<string, string> = { ...extra, [LABELS.managedBy]: 'edgeops', [LABELS.series]: labelValue(info.series), [LABELS.contentHash]: info.contentHash };
  for (const k of ['pipeline', 'run', 'commit', 'stage'] as const) {
    const v = info[k];
    if (v) labels[LABELS[k]] = labelValue(v);
  }
  return labels;
}
