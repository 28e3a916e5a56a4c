/**
 * The kit's adapters, each with its real framework, built ONLY on the packed and installed tarball: an
 * Express app (loaded through `require`) and a Fastify app (loaded through `import`) accept a valid token and
 * refuse it within one second after a force logout, a revoked jti and a revoked signing key; the Fastify
 * plugin's hook and `request.auth` reach the routes of the scope it is registered in; `verify()` and
 * `bearerToken()` serve any other framework; and the installed `.d.ts` type-check a Fastify consumer.
 */
import { createHmac } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AccessTokenClaims } from '@token-warden/verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authOf, call, REFUSAL_BOUND_MS, refusedWithin, startExpressApp, startFastifyApp, type AppUnderTest, type Verifier } from '../helpers/adapter-apps';
import { installVerifierPackage, REPO_ROOT, type InstalledVerifierPackage, type VerifierKit } from '../helpers/verifier-package';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';
const part = (token: string, index: 0 | 1) => JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;

describe('the adapters, built only on the installed tarball', () => {
  let installed: InstalledVerifierPackage;
  let esm: VerifierKit;
  let cjs: VerifierKit;
  let t: TestWarden;
  let client: string;
  const verifiers: Verifier[] = [];
  const apps: Record<'express' | 'fastify', AppUnderTest> = {} as never;

  beforeAll(async () => {
    installed = await installVerifierPackage();
    esm = await installed.importKit();
    cjs = installed.requireKit();
    t = await startTestWarden({ feedHeartbeatMs: 250 });
    client = await t.createPublicClient();
    const api = await t.createConfidentialClient();
    const options = { issuer: t.baseUrl, audience: AUDIENCE, clientId: api.clientId, clientSecret: api.clientSecret };
    // Two verifiers, one from each module format: the Express app is a CommonJS user, the Fastify app an ESM one.
    const viaRequire = cjs.createVerifier(options);
    const viaImport = esm.createVerifier(options);
    verifiers.push(viaRequire, viaImport);
    await Promise.all(verifiers.map((verifier) => verifier.start()));
    apps.express = await startExpressApp(viaRequire);
    apps.fastify = await startFastifyApp(esm, viaImport);
  }, 180_000);

  afterAll(async () => {
    for (const verifier of verifiers) verifier.stop();
    await Promise.all(Object.values(apps).map((app) => app.close()));
    await t?.close();
    await installed?.remove();
  });

  it('loads the same kit through import and require, with the Fastify plugin and bearerToken in both', () => {
    for (const kit of [esm, cjs]) {
      expect(typeof kit.createVerifier).toBe('function');
      expect(typeof kit.fastifyPlugin).toBe('function');
      expect(typeof kit.bearerToken).toBe('function');
    }
    // It is the tarball's copy, not the workspace's.
    const resolved = createRequire(path.join(installed.dir, 'package.json')).resolve('@token-warden/verifier');
    expect(resolved.startsWith(path.join(installed.dir, 'node_modules', '@token-warden', 'verifier') + path.sep)).toBe(true);
  });

  describe.each(['express', 'fastify'] as const)('%s', (name) => {
    const url = () => apps[name].url;

    it('accepts a valid token and hands its claims to the route', async () => {
      const user = await t.createUser();
      const tokens = await t.login(user, client);
      expect(await call(url(), tokens.access_token)).toMatchObject({ status: 200, body: { sub: user.id, jti: part(tokens.access_token, 1).jti } });
    });

    it('answers a request without a token with the bare RFC 6750 challenge', async () => {
      const answer = await call(url(), null);
      expect(answer).toMatchObject({ status: 401, challenge: 'Bearer realm="api"', body: { error: 'invalid_request' } });
    });

    it('answers a token signed by nobody it knows (an asynchronous verdict: a JWKS refetch) with invalid_token', async () => {
      const user = await t.createUser();
      const genuine = (await t.login(user, client)).access_token;
      const header = Buffer.from(JSON.stringify({ ...part(genuine, 0), kid: `stranger-${name}` })).toString('base64url');
      const forged = `${header}.${genuine.split('.')[1]}.${createHmac('sha256', 'x').update('y').digest('base64url')}`;
      const answer = await call(url(), forged);
      expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_token', error_description: 'unknown_kid' } });
      expect(answer.challenge).toBe('Bearer realm="api", error="invalid_token", error_description="unknown_kid"');
    });

    it('refuses a token within one second after a force logout, and keeps accepting another user', async () => {
      const [user, other] = [await t.createUser(), await t.createUser()];
      const tokens = await t.login(user, client);
      const others = await t.login(other, client);
      expect((await call(url(), tokens.access_token)).status).toBe(200);
      const startedAt = performance.now();
      await t.admin('forceLogout', { userId: user.id, reason: `adapter test (${name})` });
      const { refusal, afterMs } = await refusedWithin(url(), tokens.access_token, startedAt);
      expect(refusal.body.error).toBe('invalid_token');
      expect(['session_revoked', 'issued_before_not_before']).toContain(refusal.body.error_description);
      expect(refusal.challenge).toBe(`Bearer realm="api", error="invalid_token", error_description="${String(refusal.body.error_description)}"`);
      expect((await call(url(), others.access_token)).status).toBe(200);
      console.log(`${name}: force logout refused ${afterMs.toFixed(1)} ms after the admin call started`);
    });

    it('refuses a token within one second after its jti is revoked, and keeps accepting the same user’s other token', async () => {
      const user = await t.createUser();
      const [a, b] = [await t.login(user, client), await t.login(user, client)];
      expect((await call(url(), a.access_token)).status).toBe(200);
      const startedAt = performance.now();
      await t.admin('revokeAccessToken', { jti: part(a.access_token, 1).jti as string });
      const { refusal, afterMs } = await refusedWithin(url(), a.access_token, startedAt);
      expect(refusal.body).toEqual({ error: 'invalid_token', error_description: 'jti_revoked' });
      expect((await call(url(), b.access_token)).status).toBe(200);
      console.log(`${name}: revoked jti refused ${afterMs.toFixed(1)} ms after the admin call started`);
    });

    // Last for each app: it revokes the active key (the next one, published ahead, takes over).
    it('refuses a token within one second after its signing key is revoked, and accepts the next key’s tokens', async () => {
      const user = await t.createUser();
      const before = await t.login(user, client);
      expect((await call(url(), before.access_token)).status).toBe(200);
      const startedAt = performance.now();
      await t.admin('revokeSigningKey', { kid: part(before.access_token, 0).kid as string, reason: `adapter test (${name})` });
      const { refusal, afterMs } = await refusedWithin(url(), before.access_token, startedAt);
      expect(refusal.body).toEqual({ error: 'invalid_token', error_description: 'revoked_kid' });
      const after = await t.login(user, client);
      expect(part(after.access_token, 0).kid).not.toBe(part(before.access_token, 0).kid);
      expect((await call(url(), after.access_token)).status).toBe(200);
      console.log(`${name}: revoked key refused ${afterMs.toFixed(1)} ms after the admin call started`);
    });
  });

  describe('the Fastify plugin in scopes', () => {
    const scoped: FastifyInstance[] = [];
    afterAll(() => Promise.all(scoped.map((app) => app.close())));

    it('protects the routes of the scope it is registered in (before or after it) and of its children, and no others', async () => {
      const app = Fastify();
      scoped.push(app);
      const whoami = async (request: FastifyRequest) => ({ sub: authOf(request)?.sub ?? null });
      app.get('/public', whoami);
      await app.register(async (api) => {
        api.get('/api/declared-before', whoami);
        await api.register(esm.fastifyPlugin, { verifier: verifiers[1]! });
        api.get('/api/declared-after', whoami);
        await api.register(async (child) => {
          child.get('/api/child', whoami);
        });
      });
      const user = await t.createUser();
      const token = (await t.login(user, client)).access_token;
      expect((await app.inject({ url: '/public' })).json()).toEqual({ sub: null });
      for (const url of ['/api/declared-before', '/api/declared-after', '/api/child']) {
        const refused = await app.inject({ url });
        expect(refused.statusCode, url).toBe(401);
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(refused.headers['cache-control']).toBe('no-store');
        const accepted = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
        expect({ status: accepted.statusCode, body: accepted.json() as unknown }, url).toEqual({ status: 200, body: { sub: user.id } });
      }
    });

    it('can be registered again in a child scope (the inherited decoration is kept)', async () => {
      const app = Fastify();
      scoped.push(app);
      await app.register(esm.fastifyPlugin, { verifier: verifiers[1]! });
      await app.register(async (child) => {
        await child.register(esm.fastifyPlugin, { verifier: verifiers[1]! });
        child.get('/child', async (request) => ({ sub: authOf(request)?.sub }));
      });
      const user = await t.createUser();
      const token = (await t.login(user, client)).access_token;
      expect((await app.inject({ url: '/child', headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ sub: user.id });
    });

    it('waits for an asynchronous verdict, and hands a rejected one to Fastify’s error handler', async () => {
      const app = Fastify();
      scoped.push(app);
      // A verifier whose verdicts all take a turn of the event loop, as a JWKS fetch or an introspection does.
      const slow = {
        verify: async (token: unknown) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (token === 'good') return { active: true as const, claims: { sub: 'user-1' } as AccessTokenClaims };
          if (token === 'bad') return { active: false as const, reason: 'bad_signature' as const };
          throw new Error('verifier broke');
        },
      };
      await app.register(esm.fastifyPlugin, { verifier: slow });
      app.get('/x', async (request) => ({ sub: authOf(request)?.sub }));
      const answer = async (token: string) => {
        const reply = await app.inject({ url: '/x', headers: { authorization: `Bearer ${token}` } });
        return { status: reply.statusCode, challenge: reply.headers['www-authenticate'], body: reply.json() as unknown };
      };
      expect(await answer('good')).toEqual({ status: 200, challenge: undefined, body: { sub: 'user-1' } });
      expect(await answer('bad')).toMatchObject({ status: 401, challenge: 'Bearer realm="api", error="invalid_token", error_description="bad_signature"' });
      expect(await answer('boom')).toMatchObject({ status: 500, body: { message: 'verifier broke' } });
    });

    it('refuses to register without a verifier, with a TypeError naming the option', async () => {
      const app = Fastify();
      scoped.push(app);
      app.register(esm.fastifyPlugin, {} as never);
      await expect(app.ready()).rejects.toThrow(/fastifyPlugin needs \{ verifier \}/);
      await expect(Fastify().register(esm.fastifyPlugin, {} as never)).rejects.toBeInstanceOf(TypeError);
    });
  });

  describe('verify() and bearerToken() for any other framework', () => {
    it('reads a bearer token from an Authorization header value, and nothing else', () => {
      for (const kit of [esm, cjs]) {
        expect(kit.bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
        expect(kit.bearerToken('bearer   abc.def-_~+/=')).toBe('abc.def-_~+/=');
        for (const value of [undefined, null, 42, ['Bearer a'], '', 'Bearer', 'Bearer ', 'Basic abc', 'Bearer a b', 'Bearer a,b', 'Bearer a\nb']) {
          expect(kit.bearerToken(value), JSON.stringify(value)).toBeNull();
        }
      }
    });

    it('gives a verdict a guard or a GraphQL context can act on, and refuses the token once revoked', async () => {
      const verifier = verifiers[1]!;
      // What a NestJS guard, a Koa middleware or a GraphQL context function would write.
      const authenticate = async (authorization: string | undefined) => {
        const verdict = await verifier.verify(esm.bearerToken(authorization));
        return verdict.active ? { user: verdict.claims.sub } : { refused: verdict.reason };
      };
      const user = await t.createUser();
      const token = (await t.login(user, client)).access_token;
      expect(await authenticate(`Bearer ${token}`)).toEqual({ user: user.id });
      expect(await authenticate(undefined)).toEqual({ refused: 'malformed' });
      const startedAt = performance.now();
      await t.admin('revokeAccessToken', { jti: part(token, 1).jti as string });
      for (;;) {
        const outcome = await authenticate(`Bearer ${token}`);
        if ('refused' in outcome) {
          expect(outcome).toEqual({ refused: 'jti_revoked' });
          break;
        }
        if (performance.now() - startedAt > REFUSAL_BOUND_MS) throw new Error('verify() still accepts the token one second after revokeAccessToken');
        // The feed's event arrives on the event loop: let it run between checks.
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
  });

  it('its installed type declarations type-check a Fastify consumer, as ESM and as CommonJS', async () => {
    const dir = installed.dir;
    // The consumer's own dependency on fastify: the repository's copy (its types resolve their deps from there).
    await mkdir(path.join(dir, 'node_modules'), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'node_modules', 'fastify'), path.join(dir, 'node_modules', 'fastify'), 'dir').catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const consumer = (importLine: string) => `${importLine}
import type { AccessTokenClaims, KitVerdict } from '@token-warden/verifier';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AccessTokenClaims | null;
  }
}

const verifier = createVerifier({ issuer: 'http://127.0.0.1:43117', audience: 'api', clientId: 'orders-api', clientSecret: 'secret' });
const app = Fastify();
void app.register(fastifyPlugin, { verifier });
app.get('/hello', async (request) => ({ sub: request.auth?.sub ?? null }));
const verdict: KitVerdict | Promise<KitVerdict> = verifier.verify(bearerToken('Bearer x'));
void verdict;
// @ts-expect-error the plugin needs a verifier
void app.register(fastifyPlugin, { verifier: {} });
`;
    // The file's extension picks the resolution: .mts through the `import` condition, .cts through `require`.
    const imports = `import { fastify as Fastify } from 'fastify';\nimport { bearerToken, createVerifier, fastifyPlugin } from '@token-warden/verifier';`;
    await writeFile(path.join(dir, 'consumer-esm.mts'), consumer(imports));
    await writeFile(path.join(dir, 'consumer-cjs.cts'), consumer(imports));
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          module: 'node16',
          moduleResolution: 'node16',
          target: 'es2022',
          types: ['node'],
          typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
        },
        files: ['consumer-esm.mts', 'consumer-cjs.cts'],
      }),
    );
    const result = await installed.typecheck();
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);
});
