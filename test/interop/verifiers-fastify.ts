/**
 * Fastify's verifiers: @fastify/jwt with get-jwks (the "Verifying with JWKS" recipe of @fastify/jwt's
 * README, one app per algorithm) and fastify-jwt-jwks (its documented registration; it takes no
 * `algorithms` option — it fixes its own list — so one app serves every algorithm).
 */
import fastifyJwt, { type TokenOrHeader } from '@fastify/jwt';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import fastifyJwtJwks from 'fastify-jwt-jwks';
import buildGetJwks from 'get-jwks';
import type { SigningAlg } from '../../src/shared/dto';
import { callWithBearer } from './apps';
import { ALGS, type StockVerifier, type VerifierTarget } from './matrix';

async function listenFastify(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export async function fastifyJwtVerifier(target: VerifierTarget): Promise<StockVerifier> {
  // get-jwks appends `.well-known/jwks.json` to the token's `iss` unless told the path; the service
  // publishes its keys at the metadata's jwks_uri, so the path comes from there.
  const jwksPath = new URL(target.jwksUri).pathname;
  const apps = new Map<SigningAlg, { app: FastifyInstance; url: string }>();
  for (const alg of ALGS) {
    const app = Fastify();
    const getJwks = buildGetJwks({ jwksPath, issuersWhitelist: [target.issuer] });
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: (_request: FastifyRequest, token: TokenOrHeader) => {
        const {
          header: { kid, alg: tokenAlg },
          payload: { iss },
        } = token as { header: { kid: string; alg: string }; payload: { iss: string } };
        return getJwks.getPublicKey({ kid, domain: iss, alg: tokenAlg });
      },
      verify: { allowedIss: target.issuer, allowedAud: target.audience, algorithms: [alg] },
    });
    app.addHook('onRequest', async (request, reply) => {
      try {
        await request.jwtVerify();
      } catch (error) {
        reply.send(error);
      }
    });
    app.get('/', async () => ({ ok: true }));
    apps.set(alg, { app, url: await listenFastify(app) });
  }
  return {
    name: '@fastify/jwt + get-jwks',
    packages: ['@fastify/jwt', 'fast-jwt', 'get-jwks'],
    verify: (token, alg) => callWithBearer(`${apps.get(alg)!.url}/`, token),
    close: async () => {
      for (const { app } of apps.values()) await app.close();
    },
  };
}

export async function fastifyJwtJwksVerifier(target: VerifierTarget): Promise<StockVerifier> {
  const app = Fastify();
  await app.register(fastifyJwtJwks, { jwksUrl: target.jwksUri, audience: target.audience, issuer: target.issuer });
  app.get('/verify', { preValidation: app.authenticate }, async () => ({ ok: true }));
  const url = await listenFastify(app);
  return {
    name: 'fastify-jwt-jwks',
    packages: ['fastify-jwt-jwks', '@fastify/jwt', 'fast-jwt'],
    verify: (token) => callWithBearer(`${url}/verify`, token),
    close: () => app.close(),
  };
}
