import { DEFAULT_SIGNING_ALG } from '../../../src/main/engine/settings';
import { describe, expect, it } from 'vitest';
import { ADMIN, MINUTE, PHONE, SECOND, makeHarness } from './harness';

interface KeyInfoLike {
  kid: string;
  status: string;
  alg: string;
  liveTokens: number;
  retiresAt: number | null;
}
const keysOf = async (h: Awaited<ReturnType<typeof makeHarness>>) => (await h.engine.admin.listKeys({}, ADMIN)) as KeyInfoLike[];
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

describe('signing keys', () => {
  it('starts with an active key of the default algorithm and a published next key, whose private halves are only in the vault', async () => {
    const h = await makeHarness();
    const keys = await keysOf(h);
    expect(keys.map((k) => [k.status, k.alg])).toEqual([['active', DEFAULT_SIGNING_ALG], ['next', DEFAULT_SIGNING_ALG]]);
    for (const key of keys) {
      expect(await h.vault.get(key.kid)).toContain('"d"');
      expect(JSON.parse((await h.store.getKey(key.kid))!.publicJwk)).not.toHaveProperty('d');
    }
    // The signing key first, then the next one.
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual(keys.map((k) => k.kid));
    expect(h.engine.jwks().keys).toEqual([expect.not.objectContaining({ d: expect.anything() }), expect.not.objectContaining({ d: expect.anything() })]);
  });

  it('rotation: the next key signs, the old keeps verifying until ttl + skew has passed, then retires', async () => {
    const h = await makeHarness();
    const before = await h.login(PHONE);
    const [old, next] = await keysOf(h);
    const rotated = (await h.engine.admin.rotateSigningKey({ reason: 'scheduled' }, ADMIN)) as KeyInfoLike;
    expect(rotated).toMatchObject({ kid: next!.kid, status: 'active' });
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === old!.kid)).toMatchObject({ status: 'retiring', liveTokens: 1, retiresAt: h.clock.now() + 605 * SECOND });
    const newNext = keys.find((k) => k.status === 'next')!;
    expect(await h.vault.get(old!.kid)).toBeUndefined();
    expect(await h.vault.get(newNext.kid)).toContain('"d"');
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([rotated.kid, newNext.kid, old!.kid]);
    const after = await h.login(PHONE);
    expect(kidOf(after.accessToken)).toBe(rotated.kid);
    expect((await h.engine.verifyAccessToken(before.accessToken)).active).toBe(true);
    h.clock.advance(605 * SECOND - 1);
    await h.engine.maintain();
    expect((await keysOf(h)).find((k) => k.kid === old!.kid)!.status).toBe('retiring');
    h.clock.advance(1);
    await h.engine.maintain();
    expect((await keysOf(h)).find((k) => k.kid === old!.kid)!.status).toBe('retired');
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([rotated.kid, newNext.kid]);
    expect(await h.engine.verifyAccessToken(before.accessToken)).toMatchObject({ active: false, reason: 'retired_kid' });
  });

  it('ES256 and RS256 are selectable and their tokens verify', async () => {
    const h = await makeHarness();
    for (const alg of ['ES256', 'RS256'] as const) {
      const key = (await h.engine.admin.rotateSigningKey({ alg }, ADMIN)) as KeyInfoLike;
      expect(key.alg).toBe(alg);
      const tokens = await h.login(PHONE);
      expect(kidOf(tokens.accessToken)).toBe(key.kid);
      expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true });
    }
  });

  it('emergency revoke of the active key: its tokens die at once and the published next key takes over', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const [old, next] = await keysOf(h);
    const receipt = (await h.engine.admin.revokeSigningKey({ kid: old!.kid, reason: 'key leaked' }, ADMIN)) as { accessTokensRevoked: number; feedEventId: number };
    expect(receipt.accessTokensRevoked).toBe(1);
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'revoked_kid' });
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === old!.kid)!.status).toBe('revoked');
    expect(keys.filter((k) => k.status === 'active').map((k) => k.kid)).toEqual([next!.kid]);
    expect(keys.filter((k) => k.status === 'next')).toHaveLength(1);
    expect(h.engine.jwks().keys.map((k) => k.kid)).not.toContain(old!.kid);
    expect(await h.vault.get(old!.kid)).toBeUndefined();
    const fresh = await h.login(PHONE);
    expect(kidOf(fresh.accessToken)).toBe(next!.kid);
    expect((await h.engine.verifyAccessToken(fresh.accessToken)).active).toBe(true);
    expect(await h.engine.revocationsAfter(0, 10)).toEqual([expect.objectContaining({ id: receipt.feedEventId, kind: 'key', subject: old!.kid })]);
  });

  it('a restart with the same vault keeps both keys; with the active private half lost, the next key takes over and old tokens still verify', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const [key, next] = await keysOf(h);
    await h.restart();
    expect((await keysOf(h)).map((k) => [k.kid, k.status])).toEqual([[key!.kid, 'active'], [next!.kid, 'next']]);
    expect((await h.engine.verifyAccessToken(tokens.accessToken)).active).toBe(true);
    await h.vault.delete(key!.kid);
    await h.restart();
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === key!.kid)!.status).toBe('retiring');
    expect(keys.filter((k) => k.status === 'active').map((k) => k.kid)).toEqual([next!.kid]);
    expect(keys.filter((k) => k.status === 'next')).toHaveLength(1);
    expect((await h.engine.verifyAccessToken(tokens.accessToken)).active).toBe(true);
    expect(kidOf((await h.login(PHONE)).accessToken)).toBe(next!.kid);
    h.clock.advance(11 * MINUTE);
  });

  it('revoking an unknown kid is a coded error', async () => {
    const h = await makeHarness();
    await expect(h.engine.admin.revokeSigningKey({ kid: 'nope' }, ADMIN)).rejects.toMatchObject({ code: 'key_not_found' });
  });
});
