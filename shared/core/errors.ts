/**
 * Typed errors, in the style of the Azure SDK for JS: callers branch on `code`,
 * and every user mistake carries enough location to fix it without a stack trace.
 */

export interface SourceLocation {
  file?: string;
  /** 1-based line */
  line?: number;
  /** 1-based column */
  column?: number;
  /** JSON pointer or dotted field path inside the file */
  field?: string;
}

export class EdgeOpsError extends Error {
  /** Stable machine-readable code, e.g. "ManifestInvalid". */
  readonly code: string;
  /** True when the user can fix it (bad input, config); false for internal faults. */
  readonly userError: boolean;
  readonly location?: SourceLocation;
  /** A short "what to do next" sentence. */
  readonly hint?: string;

  constructor(code: string, message: string, opts: { userError?: boolean; location?: SourceLocation; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.userError = opts.userError ?? true;
    this.location = opts.location;
    this.hint = opts.hint;
  }
}

/** Bad input: a file, field or parameter the user supplied is wrong. */
export class InputError extends EdgeOpsError {
  constructor(message: string, location?: SourceLocation, hint?: string) {
    super('InputError', message, { location, hint });
  }
}

/** Several problems found at once (e.g. every unresolved variable in a template). */
export class AggregateInputError extends EdgeOpsError {
  readonly errors: EdgeOpsError[];
  constructor(summary: string, errors: EdgeOpsError[]) {
    super('AggregateInputError', `${summary}\n${errors.map((e) => '  - ' + formatLocated(e)).join('\n')}`);
    this.errors = errors;
  }
}

/** A feature exists in the task definition but its implementation has not shipped yet. */
export class NotImplementedError extends EdgeOpsError {
  constructor(feature: string) {
    super('NotImplemented', `${feature} is not implemented in this version of EdgeOps.`, {
      hint: 'Pin an EdgeOps version that provides it, or follow the project changelog.',
    });
  }
}

/** An external tool (docker, openssl …) or service failed. */
export class ExternalError extends EdgeOpsError {
  constructor(code: string, message: string, opts: { hint?: string; cause?: unknown; userError?: boolean } = {}) {
    super(code, message, { userError: opts.userError ?? true, hint: opts.hint, cause: opts.cause });
  }
}

export function locationText(loc?: SourceLocation): string {
  if (!loc) return '';
  let s = loc.file ?? '';
  if (loc.line !== undefined) s += `${s ? ':' : 'line '}${loc.line}${loc.column !== undefined ? ':' + loc.column : ''}`;
  if (loc.field) s += `${s ? ' ' : ''}(${loc.field})`;
  return s;
}

function formatLocated(e: EdgeOpsError): string {
  const where = locationText(e.location);
  return where ? `${where}: ${e.message}` : e.message;
}

/**
 * One-paragraph text for an error: user errors get message + location + hint,
 * unexpected errors keep their stack so a bug report is useful.
 */
export function describeError(err: unknown): string {
  if (err instanceof EdgeOpsError) {
    let text = err instanceof AggregateInputError ? err.message : formatLocated(err);
    if (err.hint) text += `\n${err.hint}`;
    if (!err.userError && err.stack) text += `\n${err.stack.split('\n').slice(1).join('\n')}`;
    return text;
  }
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

export function isUserError(err: unknown): boolean {
  return err instanceof EdgeOpsError && err.userError;
}
