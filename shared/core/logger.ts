/**
 * The core logs through this interface so it never depends on the Azure Pipelines
 * task library: tasks adapt it to task-lib, the CLI to the console.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Registers a value that must never be printed; adapters mask it from now on. */
  setSecret(value: string): void;
}

/** Replaces every registered secret in text with ***. Longest first so substrings don't leak. */
export class SecretMasker {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    if (!value) return;
    this.secrets.add(value);
    // Secrets often appear URL- or base64-encoded in tool output; mask those forms too.
    const enc = encodeURIComponent(value);
    if (enc !== value) this.secrets.add(enc);
  }

  mask(text: string): string {
    if (this.secrets.size === 0 || !text) return text;
    let out = text;
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (s.length < 3) continue; // masking 1-2 chars would shred every line
      out = out.split(s).join('***');
    }
    return out;
  }
}

export class ConsoleLogger implements Logger {
  readonly masker = new SecretMasker();
  constructor(private readonly opts: { verbose?: boolean; out?: NodeJS.WritableStream; err?: NodeJS.WritableStream } = {}) {}
  private write(stream: NodeJS.WritableStream | undefined, fallback: NodeJS.WritableStream, line: string) {
    (stream ?? fallback).write(this.masker.mask(line) + '\n');
  }
  info(m: string) { this.write(this.opts.out, process.stdout, m); }
  warn(m: string) { this.write(this.opts.err, process.stderr, `warning: ${m}`); }
  error(m: string) { this.write(this.opts.err, process.stderr, `error: ${m}`); }
  debug(m: string) { if (this.opts.verbose) this.write(this.opts.err, process.stderr, `debug: ${m}`); }
  setSecret(v: string) { this.masker.add(v); }
}

/** Collects lines in memory (tests, and callers that render their own output). */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  readonly masker = new SecretMasker();
  info(m: string) { this.lines.push(this.masker.mask(m)); }
  warn(m: string) { this.lines.push('warning: ' + this.masker.mask(m)); }
  error(m: string) { this.lines.push('error: ' + this.masker.mask(m)); }
  debug(m: string) { this.lines.push('debug: ' + this.masker.mask(m)); }
  setSecret(v: string) { this.masker.add(v); }
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {}, setSecret() {} };
