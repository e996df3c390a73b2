/**
 * Retry with exponential backoff and jitter for cloud calls (IoT Hub, registries).
 * Honors Retry-After when the error carries one. Only transient failures are retried:
 * 429, 5xx and dropped connections. Callers make the operation idempotent.
 */
export interface RetryOptions {
  retries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Return true to retry this error. Default: isTransient. */
  shouldRetry?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ESOCKETTIMEDOUT', 'UND_ERR_SOCKET']);

export function statusOf(err: unknown): number | undefined {
  const e = err as { statusCode?: number; status?: number; response?: { statusCode?: number; status?: number } };
  return e?.statusCode ?? e?.status ?? e?.response?.statusCode ?? e?.response?.status;
}

export function isTransient(err: unknown): boolean {
  const status = statusOf(err);
  if (status !== undefined) return status === 429 || status === 408 || (status >= 500 && status <= 599);
  const code = (err as NodeJS.ErrnoException)?.code;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** Retry-After in ms from an error's response headers (seconds or HTTP date), if any. */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const e = err as { retryAfterMs?: number; response?: { headers?: Record<string, string | string[] | undefined> }; headers?: Record<string, string | undefined> };
  if (typeof e?.retryAfterMs === 'number') return e.retryAfterMs;
  const headers = e?.response?.headers ?? e?.headers;
  const raw = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(parseFloat(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(op: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const retries = opts.retries ?? 5;
  const base = opts.baseDelayMs ?? 500;
  const max = opts.maxDelayMs ?? 30_000;
  const should = opts.shouldRetry ?? isTransient;
  const sleep = opts.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (err) {
      if (attempt >= retries || !should(err)) throw err;
      const backoff = Math.min(max, base * 2 ** attempt) * (0.5 + Math.random() / 2);
      const delay = Math.min(max, retryAfterMs(err) ?? backoff);
      opts.onRetry?.(err, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
