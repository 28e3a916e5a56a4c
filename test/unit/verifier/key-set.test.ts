/**
 * The kit's key set against a scripted JWKS: which JWKs it takes (RS256 ≥ 2048 bits among them), that a key
 * the JWKS stops listing is gone at once and remembered as retired, and how long a JWKS is used (its
 * Cache-Control max-age caps the kit's own refresh period).
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeySet } from '../../../packages/verifier/src/key-set';

const JWKS_URI = 'http://127.0.0.1:9/oauth/jwks';

function jwk(kid: string, alg: 'EdDSA' | 'ES256' | 'RS256', options: { bits?: number; private?: boolean } = {}): Record<string, unknown> {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  if (alg === 'EdDSA') pair = generateKeyPairSync('ed25519');
  else if (alg === 'ES256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  else pair = generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048 });
  const exported = (options.private ? pair.privateKey : pair.publicKey).export({ format: 'jwk' });
  return { ...exported, kid, alg, use: 'sig' };
}

/** A fetch that answers the JWKS with whatever the test put there, and counts the requests. */
function scriptedJwks() {
  const state = { body: { keys: [] as unknown[] } as unknown, cacheControl: 'max-age=60' as string | null, requests: 0 };
  const fetchImpl: typeof fetch = async () => {
    state.requests += 1;
    const headers = new Headers({ 'content-type': 'application/json' });
    if (state.cacheControl !== null) headers.set('cache-control', state.cacheControl);
    return new Response(JSON.stringify(state.body), { status: 200, headers });
  };
  return { state, fetchImpl };
}

function keySet(refreshMs = 60_000) {
  const clock = { current: 1_000_000, now: () => clock.current };
  const jwks = scriptedJwks();
  const loads: string[][] = [];
  const keys = new KeySet(clock, 1_000, refreshMs, jwks.fetchImpl, (kids) => loads.push(kids));
  keys.setJwksUri(JWKS_URI);
  return { keys, clock, jwks, loads };
}

describe('KeySet: which JWKs the kit takes', () => {
  it('EdDSA, ES256 and RS256 (2048 bits and more); not RSA below 2048 bits, private keys, or a mislabelled key', async () => {
    const { keys, jwks } = keySet();
    const ed = jwk('ed', 'EdDSA');
    jwks.state.body = {
      keys: [
        ed,
        jwk('ec', 'ES256'),
        jwk('rsa2048', 'RS256'),
        jwk('rsa3072', 'RS256', { bits: 3072 }),
        jwk('rsa1024', 'RS256', { bits: 1024 }),
        jwk('rsa-private', 'RS256', { private: true }),
        jwk('ec-private', 'ES256', { private: true }),
        { ...jwk('rsa-as-es', 'RS256'), alg: 'ES256' },
        { ...ed, kid: 'ed-as-rs', alg: 'RS256' },
        { ...jwk('rsa-enc', 'RS256'), use: 'enc' },
        { ...jwk('rsa-ps', 'RS256'), alg: 'PS256' },
      ],
    };
    await keys.refresh();
    const taken = ['ed', 'ec', 'rsa2048', 'rsa3072', 'rsa1024', 'rsa-private', 'ec-private', 'rsa-as-es', 'ed-as-rs', 'rsa-enc', 'rsa-ps'].filter((kid) => keys.has(kid));
    expect(taken).toEqual(['ed', 'ec', 'rsa2048', 'rsa3072']);
    expect(keys.get('rsa2048')).toMatchObject({ alg: 'RS256' });
  });
});

describe('KeySet: keys the JWKS stops listing', () => {
  it('are dropped by the fetch that no longer lists them, and known as retired from then on (no refetch for them)', async () => {
    const { keys, jwks, clock, loads } = keySet();
    const [a, b] = [jwk('a', 'EdDSA'), jwk('b', 'ES256')];
    jwks.state.body = { keys: [a, b] };
    await keys.refresh();
    expect(keys.has('a') && keys.has('b')).toBe(true);
    jwks.state.body = { keys: [b] };
    clock.current += 60_000;
    await keys.refresh();
    expect(loads).toEqual([['a', 'b'], ['b']]);
    expect(keys.has('a')).toBe(false);
    expect(keys.isDropped('a')).toBe(true);
    const requests = jwks.state.requests;
    expect(await keys.fetchFor('a')).toBeUndefined();
    expect(jwks.state.requests).toBe(requests);
    // A kid never seen is fetched for, as before.
    clock.current += 1_000;
    expect(await keys.fetchFor('c')).toBeUndefined();
    expect(jwks.state.requests).toBe(requests + 1);
    expect(keys.isDropped('c')).toBe(false);
  });

  it('a garbled JWKS answer keeps the keys in hand (it says nothing about which were retired)', async () => {
    const { keys, jwks, clock } = keySet();
    jwks.state.body = { keys: [jwk('a', 'EdDSA')] };
    await keys.refresh();
    for (const garbled of [{ keys: 'none' }, [], null, { notKeys: [] }]) {
      jwks.state.body = garbled;
      clock.current += 60_000;
      await expect(keys.refresh()).rejects.toThrow(/JWK set/);
      expect(keys.has('a')).toBe(true);
      expect(keys.isDropped('a')).toBe(false);
    }
  });
});

describe('KeySet: how long a JWKS is used', () => {
  it("the service's max-age caps the kit's refresh period", async () => {
    const { keys, jwks, clock } = keySet(3_600_000);
    jwks.state.body = { keys: [jwk('a', 'EdDSA')] };
    await keys.refresh();
    const fetchedAt = clock.current;
    expect(keys.refreshDue(fetchedAt + 59_999)).toBe(false);
    expect(keys.refreshDue(fetchedAt + 60_000)).toBe(true);
  });

  it('a shorter kit period wins over max-age; no-store or no max-age falls back to the floor or the period', async () => {
    const { keys, jwks, clock } = keySet(20_000);
    await keys.refresh();
    expect(keys.refreshDue(clock.current + 19_999)).toBe(false);
    expect(keys.refreshDue(clock.current + 20_000)).toBe(true);
    jwks.state.cacheControl = 'no-store';
    await keys.refresh();
    expect(keys.refreshDue(clock.current + 999)).toBe(false);
    expect(keys.refreshDue(clock.current + 1_000)).toBe(true);
    jwks.state.cacheControl = null;
    await keys.refresh();
    expect(keys.refreshDue(clock.current + 19_999)).toBe(false);
    jwks.state.cacheControl = 'public, max-age=5';
    await keys.refresh();
    expect(keys.refreshDue(clock.current + 4_999)).toBe(false);
    expect(keys.refreshDue(clock.current + 5_000)).toBe(true);
  });

  it('a failed fetch is retried after the refetch floor, not after a whole period', async () => {
    const { keys, jwks, clock } = keySet();
    await keys.refresh();
    jwks.state.body = 'not json at all';
    await expect(keys.refresh()).rejects.toThrow();
    expect(keys.refreshDue(clock.current + 999)).toBe(false);
    expect(keys.refreshDue(clock.current + 1_000)).toBe(true);
  });
});
