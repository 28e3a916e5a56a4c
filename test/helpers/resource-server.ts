/** A minimal resource server built only on the kit's middleware, as an app would write it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthenticatedRequest, Verifier } from '@token-warden/verifier';

export interface ResourceServer {
  url: string;
  /** GET `url` with a bearer token; returns status and JSON body. */
  call(token: string | null): Promise<{ status: number; body: Record<string, unknown>; challenge: string | null }>;
  close(): Promise<void>;
}

export async function startResourceServer(verifier: Verifier): Promise<ResourceServer> {
  const guard = verifier.middleware();
  const server: Server = createServer((req, res) => {
    guard(req as AuthenticatedRequest, res, (error?: unknown) => {
      if (error) {
        res.writeHead(500).end();
        return;
      }
      const auth = (req as AuthenticatedRequest).auth;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: auth?.sub, jti: auth?.jti }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
  return {
    url,
    async call(token) {
      const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
