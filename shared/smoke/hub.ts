import type { Client, Registry } from 'azure-iothub';
import { Logger, silentLogger } from '../core/logger';
import { isTransient, RetryOptions, statusOf, withRetry } from '../core/retry';
import { HubDeployment, hubError, hubMessage } from '../deploy/hub';

export interface MethodResult {
  status: number;
  payload?: unknown;
}

/** The hub calls the smoke test makes: reads and direct methods only, each retried on 429/5xx. */
export interface SmokeHub {
  readonly hostName: string;
  /** Requests sent (retries included) and retries, for progress and the benchmark. */
  readonly stats: { requests: number; retries: number };
  getDeployment(id: string): Promise<HubDeployment | undefined>;
  /** Runs a query over all its pages (pageSize rows per request). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  invokeMethod(deviceId: string, moduleId: string, methodName: string, payload: unknown, timeoutSeconds: number): Promise<MethodResult>;
}

export interface SmokeHubOptions {
  logger?: Logger;
  retry?: RetryOptions;
  /** Rows per query page; IoT Hub's maximum is 1000. */
  pageSize?: number;
  /** How the hub is reached, for error messages (never a secret). */
  auth?: string;
}

/** SmokeHub over the azure-iothub Registry (queries, configurations) and Client (direct methods). */
export function registrySmokeHub(registry: Registry, client: Client, hostName: string, opts: SmokeHubOptions = {}): SmokeHub {
  const log = opts.logger ?? silentLogger;
  const stats = { requests: 0, retries: 0 };
  const retried = <T>(what: string, op: () => Promise<T>, shouldRetry: (e: unknown) => boolean = opts.retry?.shouldRetry ?? isTransient) =>
    withRetry(() => { stats.requests++; return op(); }, {
      ...opts.retry,
      shouldRetry,
      onRetry: (err, attempt, delay) => {
        stats.retries++;
        log.debug(`retry ${attempt} of ${what} in ${Math.round(delay)} ms: ${statusOf(err) ?? ''} ${hubMessage(err)}`);
        opts.retry?.onRetry?.(err, attempt, delay);
      },
    });
  return {
    hostName,
    stats,
    async getDeployment(id) {
      try {
        return await retried(`reading deployment ${id}`, async () => (await registry.getConfiguration(id)).responseBody as HubDeployment,
          (e) => statusOf(e) !== 404 && (opts.retry?.shouldRetry ?? isTransient)(e));
      } catch (err) {
        if (statusOf(err) === 404) return undefined;
        throw hubError(hostName, `reading deployment ${id}`, err, opts.auth);
      }
    },
    async query(sql) {
      const q = registry.createQuery(sql, opts.pageSize ?? 1000);
      const rows: Record<string, unknown>[] = [];
      let token: string | undefined;
      do {
        // A retried page reuses the token of the page before it: nothing skipped, nothing repeated.
        let page: Awaited<ReturnType<typeof q.next>>;
        try {
          page = await retried(`query "${sql}"`, () => q.next(token as string));
        } catch (err) {
          throw hubError(hostName, `query "${sql}"`, err, opts.auth);
        }
        rows.push(...((page.result ?? []) as Record<string, unknown>[]));
        token = (page.message?.headers?.['x-ms-continuation'] as string | undefined) || undefined;
      } while (token);
      return rows;
    },
    async invokeMethod(deviceId, moduleId, methodName, payload, timeoutSeconds) {
      // Not wrapped in hubError: a device that does not answer is a check result, not a hub failure.
      const r = await retried(`direct method ${methodName} on ${deviceId}/${moduleId}`, () => client.invokeDeviceMethod(deviceId, moduleId, {
        methodName, payload: payload ?? null, responseTimeoutInSeconds: timeoutSeconds, connectTimeoutInSeconds: Math.min(timeoutSeconds, 30),
      }));
      const res = r.result as { status?: number; payload?: unknown } | undefined;
      return { status: typeof res?.status === 'number' ? res.status : 0, payload: res?.payload };
    },
  };
}
