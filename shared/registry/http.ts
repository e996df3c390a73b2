import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';

/** Minimal HTTP(S) for the registry API: node's http with a custom CA, redirects followed, errors carry status + headers for retry.ts. */
export interface HttpResponse { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Extra CA certificates (PEM) trusted besides the system ones. */
  ca?: string[];
  timeoutMs?: number;
}

export class HttpStatusError extends Error {
  constructor(readonly status: number, readonly headers: http.IncomingHttpHeaders, readonly body: string, url: string) {
    super(`HTTP ${status} from ${url}`);
  }
  get statusCode(): number { return this.status; }
}

export function httpRequest(req: HttpRequest, redirects = 5): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(req.url);
    const mod = u.protocol === 'https:' ? https : http;
    const ca = req.ca && req.ca.length > 0 ? [...tls.rootCertificates, ...req.ca] : undefined;
    const r = mod.request(u, { method: req.method, headers: req.headers, ca, timeout: req.timeoutMs ?? 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status) && res.headers.location && redirects > 0) {
          const next = new URL(res.headers.location, u);
          // Blob storage redirects carry their own signature: never forward our Authorization elsewhere.
          const headers = { ...(req.headers ?? {}) };
          if (next.host !== u.host) delete headers.Authorization;
          httpRequest({ ...req, url: next.toString(), headers, method: req.method === 'HEAD' ? 'HEAD' : 'GET' }, redirects - 1).then(resolve, reject);
          return;
        }
        resolve({ status, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    r.on('timeout', () => r.destroy(Object.assign(new Error(`timeout contacting ${u.host}`), { code: 'ETIMEDOUT' })));
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body); else r.end();
  });
}
