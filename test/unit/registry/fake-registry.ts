import * as http from 'http';
import { AddressInfo } from 'net';

/**
 * A scripted HTTP server speaking enough of the distribution API to exercise the client's
 * auth challenges and retries (the real registry is used in test/integration and L0).
 */
export interface FakeRegistry { address: string; requests: { method: string; url: string; auth?: string }[]; close(): Promise<void> }

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

export async function fakeRegistry(handler: Handler): Promise<FakeRegistry> {
  const requests: FakeRegistry['requests'] = [];
  const srv = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    handler(req, res, requests.length);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    address: `127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }),
  };
}
