/**
 * Apps built on the kit's adapters as their users write them (an Express app on `verifier.middleware()`, a
 * Fastify app on `fastifyPlugin`), on loopback, and the calls the adapter tests make to them.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import type { AccessTokenClaims } from '@token-warden/verifier';
import type { VerifierKit } from './verifier-package';

/** The bound: a revoked token is refused by the app within one second of the admin call. */
export const REFUSAL_BOUND_MS = 1_000;

export type Verifier = ReturnType<VerifierKit['createVerifier']>;
export type Call = { status: number; body: Record<string, unknown>; challenge: string | null };

export interface AppUnderTest {
  url: string;
  close(): Promise<void>;
}

/** What the adapters put on the request (the repository's own types have no augmentation for it). */
export const authOf = (request: object) => (request as { auth?: AccessTokenClaims | null }).auth;

export async function call(url: string, token: string | null): Promise<Call> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, challenge: response.headers.get('www-authenticate') };
}

/**
 * Calls until the app answers 401, each call awaited (no sleeping); fails once the bound has passed since
 * `startedAt`. Resolves with the refusal and how long after `startedAt` it came.
 */
export async function refusedWithin(url: string, token: string, startedAt: number): Promise<{ refusal: Call; afterMs: number }> {
  for (;;) {
    const answer = await call(url, token);
    const afterMs = performance.now() - startedAt;
    if (answer.status === 401) return { refusal: answer, afterMs };
    if (afterMs > REFUSAL_BOUND_MS) throw new Error(`still ${answer.status} ${afterMs.toFixed(0)} ms after the revocation (bound ${REFUSAL_BOUND_MS} ms)`);
  }
}

export async function startExpressApp(verifier: Verifier): Promise<AppUnderTest> {
  const app = express();
  // The cast: express-oauth2-jwt-bearer, also installed here, declares its own `req.auth` on Express's Request.
  app.get('/hello', verifier.middleware() as unknown as express.RequestHandler, (req, res) => {
    const auth = authOf(req);
    res.json({ sub: auth?.sub, jti: auth?.jti });
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function startFastifyApp(kit: VerifierKit, verifier: Verifier): Promise<AppUnderTest> {
  const app = Fastify();
  await app.register(kit.fastifyPlugin, { verifier });
  app.get('/hello', async (request) => {
    const auth = authOf(request);
    return { sub: auth?.sub, jti: auth?.jti };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/hello`, close: () => app.close() };
}
