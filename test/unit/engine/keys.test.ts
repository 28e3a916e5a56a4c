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

describe('signing keys', () => {
  it('starts with one active EdDSA key whose private half is only in the vault', async () => {
    const h = await makeHarness();
    const [key] = await keysOf(h);
    expect(key).toMatchObject({ status: 'active', alg: 'EdDSA' });
    expect(await h.vault.get(key!.kid)).toContain('"d"');
    const row = h.store.getKey(key!.kid)!;
    expect(JSON.parse(row.publicJwk)).not.toHaveProperty('d');
    expect(h.engine.jwks().keys).toEqual([expect.not.objectContaining({ d: expect.anything() })]);
  });

  it('rotation: the new key signs, the old keeps verifying until ttl + skew has passed, then retires', async () => {
    const h = await makeHarness();
    const before = await h.login(PHONE);
    const [old] = await keysOf(h);
    const rotated = (await h.engine.admin.rotateSigningKey({ reason: 'scheduled' }, ADMIN)) as KeyInfoLike;
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === old!.kid)).toMatchObject({ status: 'retiring', liveTokens: 1, retiresAt: h.clock.now() + 605 * SECOND });
    expect(rotated.status).toBe('active');
    expect(await h.vault.get(old!.kid)).toBeUndefined();
    expect(h.engine.jwks().keys.map((k) => k.kid).sort()).toEqual([old!.kid, rotated.kid].sort());
    const after = await h.login(PHONE);
    expect(JSON.parse(Buffer.from(after.accessToken.split('.')[0]!, 'base64url').toString()).kid).toBe(rotated.kid);
    expect(h.engine.verifyAccessToken(before.accessToken).active).toBe(true);
    h.clock.advance(605 * SECOND - 1);
    h.engine.maintain();
    expect((await keysOf(h)).find((k) => k.kid === old!.kid)!.status).toBe('retiring');
    h.clock.advance(1);
    h.engine.maintain();
    expect((await keysOf(h)).find((k) => k.kid === old!.kid)!.status).toBe('retired');
    expect(h.engine.jwks().keys.map((k) => k.kid)).toEqual([rotated.kid]);
    expect(h.engine.verifyAccessToken(before.accessToken)).toMatchObject({ active: false, reason: 'retired_kid' });
  });

  it('ES256 is selectable and its tokens verify', async () => {
    const h = await makeHarness();
    const key = (await h.engine.admin.rotateSigningKey({ alg: 'ES256' }, ADMIN)) as KeyInfoLike;
    expect(key.alg).toBe('ES256');
    const tokens = await h.login(PHONE);
    expect(h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: true });
  });

  it('emergency revoke of the active key: its tokens die at once and a new key takes over', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const [old] = await keysOf(h);
    const receipt = (await h.engine.admin.revokeSigningKey({ kid: old!.kid, reason: 'key leaked' }, ADMIN)) as { accessTokensRevoked: number; feedEventId: number };
    expect(receipt.accessTokensRevoked).toBe(1);
    expect(h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false, reason: 'revoked_kid' });
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === old!.kid)!.status).toBe('revoked');
    expect(keys.filter((k) => k.status === 'active')).toHaveLength(1);
    expect(h.engine.jwks().keys.map((k) => k.kid)).not.toContain(old!.kid);
    const fresh = await h.login(PHONE);
    expect(h.engine.verifyAccessToken(fresh.accessToken).active).toBe(true);
    expect(h.engine.revocationsAfter(0, 10)).toEqual([expect.objectContaining({ kind: 'key', subject: old!.kid })]);
  });

  it('a restart with the same vault keeps the active key; with its private half lost, a new key takes over and old tokens still verify', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const [key] = await keysOf(h);
    await h.restart();
    expect((await keysOf(h)).map((k) => k.status)).toEqual(['active']);
    expect(h.engine.verifyAccessToken(tokens.accessToken).active).toBe(true);
    await h.vault.delete(key!.kid);
    await h.restart();
    const keys = await keysOf(h);
    expect(keys.find((k) => k.kid === key!.kid)!.status).toBe('retiring');
    expect(keys.filter((k) => k.status === 'active')).toHaveLength(1);
    expect(h.engine.verifyAccessToken(tokens.accessToken).active).toBe(true);
    h.clock.advance(11 * MINUTE);
  });

  it('revoking an unknown kid is a coded error', async () => {
    const h = await makeHarness();
    await expect(h.engine.admin.revokeSigningKey({ kid: 'nope' }, ADMIN)).rejects.toMatchObject({ code: 'key_not_found' });
  });
});
