/**
 * A loopback reverse proxy that counts the requests it forwards, per path. Verifiers pointed at it show
 * whether they fetched the key set again: the count is what reached the wire, not what a library says.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  /** The proxy's base URL (http://127.0.0.1:port, no trailing slash). */
  url: string;
  /** Requests forwarded for `pathname` so far. */
  count(pathname: string): number;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    // Key-set and metadata reads are GETs with no body: forwarding the method and path is enough.
    fetch(url, { method: req.method, headers: { accept: req.headers.accept ?? '*/*' } })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        const headers: Record<string, string> = {};
        upstream.headers.forEach((value, name) => {
          if (name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = value;
        });
        res.writeHead(upstream.status, { ...headers, 'content-length': String(body.length) }).end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (pathname) => counts.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
