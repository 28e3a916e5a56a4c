/**
 * Rotation without a gap, seen by stock verifiers: a verifier that fetched the JWKS just before a routine
 * rotation accepts the first token signed after it, without fetching again, because the key that signs next
 * was published ahead of time. Fetches are counted by a loopback proxy in front of the service's jwks_uri.
 * The contrast is measured too: an algorithm change cannot be published ahead, so jose (and Auth0's
 * middleware, which uses jose) refuse the new key's tokens within their 30 s refetch cooldown.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../src/shared/dto';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { startCountingProxy, type CountingProxy } from '../interop/counting-proxy';
import { ALGS, type StockVerifier, type VerifierTarget } from '../interop/matrix';
import { jsonwebtokenVerifier } from '../interop/verifiers-jsonwebtoken';
import { expressOauth2JwtBearerApp, joseVerifier } from '../interop/verifiers-other';

describe('stock verifiers across a signing-key rotation', () => {
  let t: TestWarden;
  let proxy: CountingProxy;
  let target: VerifierTarget;
  let jwksPath: string;
  let user: TestUser;
  let clientId: string;
  const opened: StockVerifier[] = [];

  const signIn = async () => (await t.login(user, clientId)).access_token;
  const algOf = (token: string) => decodeProtectedHeader(token).alg as SigningAlg;
  const kidOf = (token: string) => decodeProtectedHeader(token).kid!;
  const fetches = () => proxy.count(jwksPath);

  /** jose, jwks-rsa (default cache) and one express-oauth2-jwt-bearer middleware (issuer + jwksUri), all behind the proxy. */
  async function freshVerifiers(): Promise<Record<'jose' | 'jwks-rsa' | 'express-oauth2-jwt-bearer', StockVerifier>> {
    const bearer = await expressOauth2JwtBearerApp({ issuer: target.issuer, jwksUri: target.jwksUri, audience: target.audience });
    const set = { jose: joseVerifier(target), 'jwks-rsa': jsonwebtokenVerifier(target), 'express-oauth2-jwt-bearer': bearer };
    opened.push(...Object.values(set));
    return set;
  }

  beforeAll(async () => {
    t = await startTestWarden();
    const metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; jwks_uri: string };
    jwksPath = new URL(metadata.jwks_uri).pathname;
    proxy = await startCountingProxy(t.baseUrl);
    const { audience } = await t.admin('getSettings', {});
    target = { issuer: metadata.issuer, audience, jwksUri: `${proxy.url}${jwksPath}` };
    user = await t.createUser();
    clientId = await t.createPublicClient();
  });

  afterAll(async () => {
    for (const verifier of opened) await verifier.close();
    await proxy?.close();
    await t?.close();
  });

  /** Makes `alg` the signing algorithm (an algorithm change, made before any verifier here starts). */
  async function signWith(alg: SigningAlg) {
    const active = (await t.admin('listKeys', {})).find((key) => key.status === 'active');
    if (active?.alg !== alg) await t.admin('rotateSigningKey', { alg, reason: `interop: sign with ${alg}` });
  }

  for (const alg of ALGS) {
    it(`a routine ${alg} rotation: the first token after it verifies with the JWKS fetched before it, no refetch`, async () => {
      await signWith(alg);
      const all = await freshVerifiers();
      // jsonwebtoken cannot verify EdDSA at all (see the matrix): jwks-rsa sits that one out.
      const verifiers = alg === 'EdDSA' ? { jose: all.jose, 'express-oauth2-jwt-bearer': all['express-oauth2-jwt-bearer'] } : all;
      const tokenA = await signIn();
      expect(algOf(tokenA)).toBe(alg);
      const start = fetches();
      for (const [name, verifier] of Object.entries(verifiers)) {
        expect(await verifier.verify(tokenA, alg), `${name} before the rotation`).toEqual({ accepted: true });
      }
      // Each verifier fetched the key set once (the middleware through its own copy of jose).
      expect(fetches() - start).toBe(Object.keys(verifiers).length);
      const published = ((await (await fetch(`${t.baseUrl}${jwksPath}`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

      await t.admin('rotateSigningKey', { alg, reason: 'routine rotation (interop): same algorithm' });
      const tokenB = await signIn();
      expect(kidOf(tokenB)).not.toBe(kidOf(tokenA));
      expect(algOf(tokenB)).toBe(alg);
      expect(published, 'the key that signs after a routine rotation was in the JWKS before it').toContain(kidOf(tokenB));
      const counted = fetches();

      for (const name of ['jose', 'express-oauth2-jwt-bearer'] as const) {
        expect(await verifiers[name].verify(tokenB, alg), `${name} right after the rotation`).toEqual({ accepted: true });
      }
      expect(fetches(), 'jose and express-oauth2-jwt-bearer did not fetch the JWKS again').toBe(counted);
      if ('jwks-rsa' in verifiers) {
        // jwks-rsa caches per kid, so a kid it has not been asked for is always a fetch: no gap, one request.
        expect(await verifiers['jwks-rsa'].verify(tokenB, alg)).toEqual({ accepted: true });
        expect(fetches()).toBe(counted + 1);
      }
    });
  }

  it('an algorithm change is not gap-free: jose refuses within its cooldown, jwks-rsa refetches', async () => {
    await signWith('RS256');
    const verifiers = await freshVerifiers();
    const before = await signIn();
    for (const verifier of Object.values(verifiers)) expect(await verifier.verify(before, algOf(before))).toEqual({ accepted: true });
    // The same cooldown with none at all: what jose does once its 30 s have passed.
    const noCooldown = createRemoteJWKSet(new URL(target.jwksUri), { cooldownDuration: 0 });
    await jwtVerify(before, noCooldown, { issuer: target.issuer, audience: target.audience });

    const other: SigningAlg = 'ES256';
    await t.admin('rotateSigningKey', { alg: other, reason: 'algorithm change (interop)' });
    const after = await signIn();
    expect(algOf(after)).toBe(other);
    const counted = fetches();

    const jose = await verifiers.jose.verify(after, other);
    expect(jose).toMatchObject({ accepted: false, error: expect.stringContaining('ERR_JWKS_NO_MATCHING_KEY') });
    const bearer = await verifiers['express-oauth2-jwt-bearer'].verify(after, other);
    expect(bearer).toMatchObject({ accepted: false, error: expect.stringContaining('no applicable key found in the JSON Web Key Set') });
    expect(fetches(), 'both were within their cooldown: neither fetched').toBe(counted);

    expect(await verifiers['jwks-rsa'].verify(after, other)).toEqual({ accepted: true });
    expect(fetches()).toBe(counted + 1);
    await expect(jwtVerify(after, noCooldown, { issuer: target.issuer, audience: target.audience })).resolves.toBeTruthy();
    expect(fetches()).toBe(counted + 2);
  });

  it('an emergency revoke: new tokens verify at once; a cached key set keeps accepting the revoked key until it is refetched', async () => {
    await signWith('ES256');
    const verifiers = await freshVerifiers();
    const old = await signIn();
    for (const verifier of Object.values(verifiers)) expect(await verifier.verify(old, 'ES256')).toEqual({ accepted: true });

    await t.admin('revokeSigningKey', { kid: kidOf(old), reason: 'emergency (interop)' });
    const fresh = await signIn();
    expect(kidOf(fresh)).not.toBe(kidOf(old));
    const counted = fetches();
    for (const name of ['jose', 'express-oauth2-jwt-bearer'] as const) {
      expect(await verifiers[name].verify(fresh, 'ES256'), `${name}: the promoted next key was already published`).toEqual({ accepted: true });
    }
    expect(fetches()).toBe(counted);

    // The revoked key is gone from the JWKS, but a verifier that only reads the JWKS learns that when it next
    // fetches (jose, jwks-rsa and the middleware: after their 10-minute cache age); the revocation feed is
    // what tells a resource server at once.
    for (const [name, verifier] of Object.entries(verifiers)) {
      expect(await verifier.verify(old, 'ES256'), `${name} still holds the revoked key`).toEqual({ accepted: true });
    }
    const published = ((await (await fetch(`${t.baseUrl}${jwksPath}`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
    expect(published).not.toContain(kidOf(old));
    expect(await joseVerifier(target).verify(old, 'ES256')).toMatchObject({ accepted: false, error: expect.stringContaining('ERR_JWKS_NO_MATCHING_KEY') });
  });
});
