/**
 * The demo API: a small resource server written the way any app would write one, using only the public
 * resource-server kit (`@token-warden/verifier`, packages/verifier), imported as any API imports it. It
 * verifies tokens locally and hears revocations on the feed with its own confidential client's secret; the
 * token service is just its issuer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type AuthenticatedRequest, type Verifier } from '@token-warden/verifier';

export interface DemoApi {
  /** `http://127.0.0.1:<port>/api/me` */
  url: string;
  verifier: Verifier;
  close(): Promise<void>;
}

export interface DemoApiOptions {
  issuer: string;
  audience: string;
  clientId: string;
  clientSecret: string;
}

/** Starts the demo API on 127.0.0.1 (a free port) once its verifier has a live feed. */
export async function startDemoApi(options: DemoApiOptions): Promise<DemoApi> {
  const verifier = createVerifier({ issuer: options.issuer, audience: options.audience, clientId: options.clientId, clientSecret: options.clientSecret });
  await verifier.start();
  const guard = verifier.middleware();
  const server: Server = createServer((req, res) => {
    guard(req as AuthenticatedRequest, res, (error?: unknown) => {
      if (error) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"server_error"}');
        return;
      }
      const auth = (req as AuthenticatedRequest).auth;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ hello: auth?.sub, sid: auth?.sid, at: Date.now() }));
    });
  });
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    verifier.stop();
    throw error;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/me`;
  return {
    url,
    verifier,
    close: () =>
      new Promise<void>((resolve) => {
        verifier.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
