import type { Registry } from 'azure-iothub';
import { ExternalError } from '../core/errors';
import { Logger, silentLogger } from '../core/logger';
import { isTransient, RetryOptions, statusOf, withRetry } from '../core/retry';

/** An IoT Hub configuration as this module reads and writes it (the SDK's Configuration, loosely typed). */
export interface HubDeployment {
  id: string;
  schemaVersion?: string;
  labels?: Record<string, string>;
  content?: { modulesContent?: Record<string, unknown>; moduleContent?: unknown; deviceContent?: unknown };
  targetCondition?: string;
  priority?: number;
  createdTimeUtc?: string;
  metrics?: { queries?: Record<string, string>; results?: Record<string, number> };
  systemMetrics?: { queries?: Record<string, string>; results?: Record<string, number> };
  etag?: string;
}

/** The few hub calls deploy needs; each is idempotent and retried (see registryHub). */
export interface DeployHub {
  /** Hub host name (for messages only). */
  readonly hostName: string;
  getDeployment(id: string): Promise<HubDeployment | undefined>;
  listDeployments(): Promise<HubDeployment[]>;
  /** Creates; resolves 'exists' when a deployment with this id is already there (no change made). */
  addDeployment(d: HubDeployment): Promise<'created' | 'exists'>;
  /** Updates target/priority/labels (content is immutable in IoT Hub). */
  updateDeployment(d: HubDeployment): Promise<void>;
  /** Removes; resolves 'absent' when it was already gone. */
  removeDeployment(id: string): Promise<'removed' | 'absent'>;
  applyContentOnDevice(deviceId: string, content: HubDeployment['content']): Promise<void>;
  /** Runs a query over all pages. */
  query(sql: string): Promise<Record<string, unknown>[]>;
}

/** The hub's own words from an SDK error (its JSON body message), never a credential. */
export function hubMessage(err: unknown): string {
  const e = err as { message?: string; responseBody?: string };
  const body = typeof e?.responseBody === 'string' ? e.responseBody : undefined;
  if (body) {
    try {
      const parsed = JSON.parse(body) as { Message?: string; message?: string };
      let msg = parsed.Message ?? parsed.message;
      // IoT Hub wraps details as "ErrorCode:X;text" inside a JSON string.
      if (typeof msg === 'string') {
        try { const inner = JSON.parse(msg) as { Message?: string }; if (inner?.Message) msg = inner.Message; } catch { /* plain text */ }
        return msg;
      }
    } catch { /* not JSON */ }
  }
  return e?.message ?? String(err);
}

/** SDK error → typed error naming the hub and the operation. */
export function hubError(hostName: string, what: string, err: unknown, auth?: string): ExternalError {
  const status = statusOf(err);
  const msg = hubMessage(err);
  const via = auth ? ` with ${auth}` : '';
  if (status === 401 || status === 403) {
    return new ExternalError('HubUnauthorized', `IoT Hub ${hostName} refused ${what}${via} (${status}): ${msg}`, {
      hint: 'Check the connection string or service connection rights (registry read/write, service connect).', cause: err,
    });
  }
  if (status === 400) return new ExternalError('HubBadRequest', `IoT Hub ${hostName} rejected ${what}: ${msg}`, { cause: err });
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ExternalError('HubNotFound', `IoT Hub ${hostName} cannot be reached (${code}) during ${what}.`, { hint: 'Check the hub name.', cause: err });
  }
  if (status === undefined && !code) {
    // No HTTP status: usually the credential could not get a token (bad secret, unknown tenant).
    return new ExternalError('HubAuthFailed', `Cannot reach IoT Hub ${hostName}${via} during ${what}: ${msg}`, { hint: 'Check the service connection and the hub name.', cause: err });
  }
  return new ExternalError('HubError', `IoT Hub ${hostName}: ${what} failed${status ? ` (${status})` : ''}${via}: ${msg}`, { cause: err, userError: status !== undefined && status < 500 });
}

export interface RegistryHubOptions {
  logger?: Logger;
  retry?: RetryOptions;
  pageSize?: number;
  /** How the hub is reached ("connection string (policy x)", "managed identity"), named in errors; never a secret. */
  auth?: string;
}

/**
 * DeployHub over the azure-iothub Registry. Every call goes through withRetry; writes are made
 * idempotent so a retry after a lost response cannot duplicate or fail a finished change:
 * 409 on create and 404 on remove are reported, not thrown.
 */
export function registryHub(registry: Registry, hostName: string, opts: RegistryHubOptions = {}): DeployHub {
  const log = opts.logger ?? silentLogger;
  const call = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await withRetry(op, {
        ...opts.retry,
        onRetry: (err, attempt, delay) => {
          log.debug(`retry ${attempt} of ${what} in ${Math.round(delay)} ms: ${statusOf(err) ?? ''} ${hubMessage(err)}`);
          opts.retry?.onRetry?.(err, attempt, delay);
        },
      });
    } catch (err) {
      throw hubError(hostName, what, err, opts.auth);
    }
  };
  const notFound = (err: unknown) => statusOf(err) === 404;
  return {
    hostName,
    async getDeployment(id) {
      try {
        return await withRetry(async () => (await registry.getConfiguration(id)).responseBody as HubDeployment, {
          ...opts.retry, shouldRetry: (e) => !notFound(e) && (opts.retry?.shouldRetry ?? isTransient)(e),
        });
      } catch (err) {
        if (notFound(err)) return undefined;
        throw hubError(hostName, `reading deployment ${id}`, err, opts.auth);
      }
    },
    listDeployments: () => call('listing deployments', async () => ((await registry.getConfigurations()).responseBody ?? []) as HubDeployment[]),
    async addDeployment(d) {
      let exists = false;
      await call(`creating deployment ${d.id}`, async () => {
        try { await registry.addConfiguration(d as Parameters<Registry['addConfiguration']>[0]); } catch (err) {
          if (statusOf(err) === 409) { exists = true; return; }
          throw err;
        }
      });
      return exists ? 'exists' : 'created';
    },
    updateDeployment: (d) => call(`updating deployment ${d.id}`, async () => {
      await registry.updateConfiguration(d as Parameters<Registry['updateConfiguration']>[0], true);
    }),
    async removeDeployment(id) {
      let absent = false;
      await call(`removing deployment ${id}`, async () => {
        try { await registry.removeConfiguration(id); } catch (err) {
          if (notFound(err)) { absent = true; return; }
          throw err;
        }
      });
      return absent ? 'absent' : 'removed';
    },
    applyContentOnDevice: (deviceId, content) => call(`applying content on device ${deviceId}`, async () => {
      await registry.applyConfigurationContentOnDevice(deviceId, content as Parameters<Registry['applyConfigurationContentOnDevice']>[1]);
    }),
    async query(sql) {
      const q = registry.createQuery(sql, opts.pageSize ?? 1000);
      const rows: Record<string, unknown>[] = [];
      let token: string | undefined;
      do {
        // Each page is retried with the token of the page before it, so a retry never skips or repeats.
        const page = await call(`query "${sql}"`, () => q.next(token as string));
        rows.push(...((page.result ?? []) as Record<string, unknown>[]));
        token = (page.message?.headers?.['x-ms-continuation'] as string | undefined) || undefined;
      } while (token);
      return rows;
    },
  };
}

