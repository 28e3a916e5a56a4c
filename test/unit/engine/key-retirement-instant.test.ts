/**
 * A retiring key stops verifying at its retiresAt, not when the next maintenance pass (every minute) records
 * it as retired: the kit refuses it from that same instant (the feed's key-retiring event), so both must.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN, PHONE, SECOND, makeHarness } from './harness';

const part = (jwt: string, index: 0 | 1) => JSON.parse(Buffer.from(jwt.split('.')[index]!, 'base64url').toString()) as Record<string, unknown>;

describe('a retiring key at its retiresAt', () => {
  it('is refused as retired_kid from retiresAt on, with no maintenance pass in between', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const claims = part(tokens.accessToken, 1);
    const kid = part(tokens.accessToken, 0).kid as string;
    // Outlives the key: the service never signs one (a key retires once its tokens expired), so it stands
    // for any token the service no longer vouches for.
    const outliving = h.engine.ctx.keys.sign({ typ: 'at+jwt' }, { ...claims, jti: 'jti-outliving', exp: (claims.exp as number) + 24 * 3600 }).token;
    await h.engine.admin.rotateSigningKey({}, ADMIN);
    const retiresAt = (await h.store.getKey(kid))!.retiresAt!;
    expect(retiresAt).toBe(h.clock.now() + 605 * SECOND);

    h.clock.set(retiresAt - 1);
    expect(await h.engine.verifyAccessToken(outliving)).toMatchObject({ active: true });
    h.clock.set(retiresAt);
    expect((await h.store.getKey(kid))!.status).toBe('retiring');
    expect(await h.engine.verifyAccessToken(outliving)).toMatchObject({ active: false, reason: 'retired_kid' });
    // Introspection says the same: it is the same check.
    expect(await h.engine.verifyAccessToken(tokens.accessToken)).toMatchObject({ active: false });
  });

  it('leaves the JWKS at that instant too, so stock verifiers that refetch stop with the service', async () => {
    const h = await makeHarness();
    const kid = part((await h.login(PHONE)).accessToken, 0).kid as string;
    await h.engine.admin.rotateSigningKey({}, ADMIN);
    const retiresAt = (await h.store.getKey(kid))!.retiresAt!;
    const published = () => h.engine.jwks().keys.map((key) => key.kid);
    h.clock.set(retiresAt - 1);
    expect(published()).toContain(kid);
    h.clock.set(retiresAt);
    expect((await h.store.getKey(kid))!.status).toBe('retiring');
    expect(published()).not.toContain(kid);
    // The keys that still sign or will sign stay.
    expect(published()).toHaveLength(2);
  });
});
