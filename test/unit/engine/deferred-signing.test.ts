import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { compactVerify, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { randomId, randomSecret, timeOfId, timeOrderedId } from '../../../src/main/engine/crypto';
import { jwsSigningInput, signPending, type PendingJws } from '../../../src/main/engine/jwt';
import { ADMIN, PHONE, makeHarness } from './harness';

const keys = { EdDSA: generateKeyPairSync('ed25519'), ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }) };

function pending(alg: 'EdDSA' | 'ES256', n: number): PendingJws {
  return { signingInput: jwsSigningInput({ alg, typ: 'at+jwt', kid: `k-${alg}` }, { jti: `at_${n}`, n }), alg, key: keys[alg].privateKey };
}

describe('signing a token whose claims were fixed earlier', () => {
  it('makes a compact JWS that jose verifies, for EdDSA and ES256', async () => {
    for (const alg of ['EdDSA', 'ES256'] as const) {
      const token = signPending(pending(alg, 1));
      expect(token.startsWith(`${pending(alg, 1).signingInput}.`)).toBe(true);
      const { payload } = await compactVerify(token, keys[alg].publicKey);
      expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ jti: 'at_1', n: 1 });
    }
  });

  it('throws rather than return a token when the key cannot sign', () => {
    expect(() => signPending({ ...pending('EdDSA', 2), key: createPublicKey(keys.EdDSA.privateKey) })).toThrow();
  });
});

describe('coalesced refreshes, signed after their batch commits', () => {
  it('every caller of a batch gets its own valid access token', async () => {
    const h = await makeHarness();
    const sessions = await Promise.all(Array.from({ length: 12 }, () => h.login(PHONE)));
    const rotated = await Promise.all(sessions.map((s) => h.engine.refresh({ refreshToken: s.refreshToken, clientId: 'mobile', device: PHONE })));
    expect(new Set(rotated.map((r) => r.accessToken)).size).toBe(sessions.length);
    const jwks = h.engine.jwks().keys;
    for (const [i, tokens] of rotated.entries()) {
      expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true, claims: { sid: sessions[i]!.sessionId, jti: tokens.jti } });
      const kid = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0]!, 'base64url').toString()).kid;
      const jwk = jwks.find((k) => k.kid === kid)!;
      const key = await importJWK(jwk, jwk.alg);
      await expect(jwtVerify(tokens.accessToken, key, { typ: 'at+jwt', currentDate: new Date(h.clock.now()) })).resolves.toBeTruthy();
    }
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });
});

describe('random identifiers from the pool', () => {
  it('never repeat across pool refills and keep their shapes', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const secret = randomSecret();
      const id = randomId('ses');
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(id).toMatch(/^ses_[A-Za-z0-9_-]{22}$/);
      seen.add(secret).add(id.slice(4));
    }
    expect(seen.size).toBe(4_000);
  });
});

describe('time-ordered identifiers (access-token jti)', () => {
  it('sort by the time they were made, and never repeat within one millisecond', () => {
    const at = Date.UTC(2026, 10, 23);
    const times = [0, at - 86_400_000, at - 1, at, at + 1, at + 3_600_000, 2 ** 47];
    const ids = times.map((ms) => timeOrderedId('at', ms));
    expect([...ids].sort()).toEqual(ids);
    const sameMillisecond = Array.from({ length: 1_000 }, () => timeOrderedId('at', at));
    expect(new Set(sameMillisecond).size).toBe(1_000);
    for (const id of [...ids, ...sameMillisecond]) expect(id).toMatch(/^at_[0-9a-f]{12}[A-Za-z0-9_-]{16}$/);
    expect(ids.map(timeOfId)).toEqual(times.map((ms) => Math.floor(ms)));
    expect([timeOfId('at_123'), timeOfId('a-random-jti'), timeOfId(`at_${'g'.repeat(12)}${'x'.repeat(16)}`)]).toEqual([null, null, null]);
  });
});
