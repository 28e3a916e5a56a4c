/**
 * Blast radii that say what is affected: a key or one access token signs nobody out, but the sessions
 * carrying their live tokens are named (the console read "Devices (0)"); a refresh-version bump ends no
 * session and revokes no access token, and its preview says so (its dialog contradicted itself).
 */
import { describe, expect, it } from 'vitest';
import type { BlastRadius } from '../../../src/shared/dto';
import { ADMIN, LAPTOP, MINUTE, PHONE, makeHarness, type Harness } from './harness';

const preview = async (h: Harness, target: Parameters<Harness['engine']['admin']['previewBlastRadius']>[0]['target']) =>
  (await h.engine.admin.previewBlastRadius({ target }, ADMIN)) as BlastRadius;
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const expOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;

describe('blast radius', () => {
  it("a key revocation names the sessions its live tokens are on, which stay signed in (not \"Devices (0)\")", async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    h.clock.advance(MINUTE);
    const laptop = await h.login(LAPTOP);
    const kid = kidOf(phone.accessToken);
    const radius = await preview(h, { kind: 'key', kid });
    expect(radius.sessions.map((s) => s.id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect(radius).toMatchObject({
      sessionCount: 2,
      sessionCountCapped: false,
      sessionsFate: 'stay_open',
      liveAccessTokens: 2,
      accessTokensFate: 'revoked',
      refreshFamilies: 0,
      worstCaseExpiry: expOf(laptop.accessToken),
    });
    expect(radius.devices.sort()).toEqual([PHONE.name, LAPTOP.name].sort());
    expect(radius.clients.sort()).toEqual(['mobile', 'web']);
    // A revoked session's tokens are dead already: it is not reached.
    await h.engine.admin.revokeSession({ sessionId: phone.sessionId }, ADMIN);
    expect(await preview(h, { kind: 'key', kid })).toMatchObject({ sessionCount: 1, sessions: [{ id: laptop.sessionId }] });
  });

  it('an access-token revocation names its session, which stays signed in and keeps refreshing', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    const jti = (JSON.parse(Buffer.from(phone.accessToken.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    const radius = await preview(h, { kind: 'access_token', jti });
    expect(radius).toMatchObject({
      sessions: [{ id: phone.sessionId, deviceName: PHONE.name }],
      sessionCount: 1,
      sessionsFate: 'stay_open',
      liveAccessTokens: 1,
      accessTokensFate: 'revoked',
      refreshFamilies: 0,
      devices: [PHONE.name],
      clients: ['mobile'],
    });
  });

  it('a refresh-version bump: the refreshable sessions stop refreshing, the access tokens live to exp, and a second bump reaches nothing more', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    const laptop = await h.login(LAPTOP);
    const before = await preview(h, { kind: 'refresh_version', userId: h.userId });
    expect(before).toMatchObject({ sessionCount: 2, sessionsFate: 'cant_refresh', refreshFamilies: 2, liveAccessTokens: 2, accessTokensFate: 'live_to_exp' });
    expect(before.worstCaseExpiry).toBe(Math.max(expOf(phone.accessToken), expOf(laptop.accessToken)));
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId }, ADMIN);
    const after = await preview(h, { kind: 'refresh_version', userId: h.userId });
    // Nothing left to stop refreshing; the tokens still live (the bump did not revoke them).
    expect(after).toMatchObject({ sessions: [], sessionCount: 0, refreshFamilies: 0, liveAccessTokens: 2, accessTokensFate: 'live_to_exp' });
    // Force logout still reaches them: they are open.
    expect(await preview(h, { kind: 'user', userId: h.userId })).toMatchObject({ sessionCount: 2, sessionsFate: 'revoked', accessTokensFate: 'revoked', liveAccessTokens: 2 });
  });

  it("the store reads a key's sessions in bounded steps", async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.login(LAPTOP);
    await h.login(PHONE);
    const kid = kidOf(phone.accessToken);
    expect(await h.store.tokenReach.sessionIdsWithLiveTokensOfKid(kid, h.clock.now(), 2)).toHaveLength(2);
    expect(await h.store.tokenReach.sessionIdsWithLiveTokensOfKid(kid, h.clock.now(), 10)).toHaveLength(3);
    expect(await h.store.tokenReach.latestLiveExpiryOfKid(kid, h.clock.now())).toBe(expOf(phone.accessToken));
    h.clock.advance(24 * 60 * MINUTE);
    expect(await h.store.tokenReach.sessionIdsWithLiveTokensOfKid(kid, h.clock.now(), 10)).toEqual([]);
    expect(await h.store.tokenReach.latestLiveExpiryOfKid(kid, h.clock.now())).toBeUndefined();
  });
});
