/**
 * A session's status after a refresh-version bump: still open (its access tokens live to exp) but never
 * refreshable again, so it reads `cant_refresh` (canRefresh false, with the reason) wherever it is listed,
 * and the status filter partitions active / cant_refresh / expired / revoked by the same rule.
 */
import { describe, expect, it } from 'vitest';
import type { SessionInfo, SessionStatus } from '../../../src/shared/dto';
import { ADMIN, DAY, LAPTOP, MINUTE, PHONE, expectCode, makeHarness, type Harness } from './harness';

const list = async (h: Harness, status?: SessionStatus) =>
  (await h.engine.admin.listSessions({ userId: h.userId, ...(status ? { status } : {}) }, ADMIN)) as { items: SessionInfo[]; total: number };
const allUsers = async (h: Harness, status: SessionStatus) => (await h.engine.admin.listSessions({ status }, ADMIN)) as { items: SessionInfo[]; total: number };

describe("sessions after a refresh-version bump read can't refresh", () => {
  it('lists the open sessions as cant_refresh with the reason; refresh indeed fails; a new sign-in is active', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    const laptop = await h.login(LAPTOP);
    h.clock.advance(MINUTE);
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId, reason: 'leaked' }, ADMIN);
    const bumpedAt = h.clock.now();

    const items = (await list(h)).items;
    expect(items.map((s) => [s.id, s.status, s.canRefresh, s.cantRefreshReason, s.refreshEndedAt]).sort()).toEqual(
      [
        [phone.sessionId, 'cant_refresh', false, 'refresh_version_bumped', bumpedAt],
        [laptop.sessionId, 'cant_refresh', false, 'refresh_version_bumped', bumpedAt],
      ].sort(),
    );
    // The session page reads the same.
    const detail = await h.engine.admin.listSessionTokens({ sessionId: phone.sessionId }, ADMIN) as { session: SessionInfo };
    expect(detail.session).toMatchObject({ status: 'cant_refresh', canRefresh: false, cantRefreshReason: 'refresh_version_bumped' });
    // Which is true: the refresh is refused.
    await expectCode(() => h.engine.refresh({ refreshToken: phone.refreshToken, clientId: 'mobile', device: PHONE }), 'refresh_version_mismatch');

    const fresh = await h.login(PHONE);
    expect((await list(h, 'active')).items.map((s) => s.id)).toEqual([fresh.sessionId]);
    expect((await list(h, 'active')).total).toBe(1);
    expect((await list(h, 'cant_refresh')).items.map((s) => s.id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect((await list(h, 'cant_refresh')).total).toBe(2);
    // Across all users too (the pinned partial index and the subtracted total).
    expect(await allUsers(h, 'active')).toMatchObject({ total: 1, items: [{ id: fresh.sessionId, canRefresh: true, cantRefreshReason: null }] });
    expect((await allUsers(h, 'cant_refresh')).total).toBe(2);
    expect((await allUsers(h, 'cant_refresh')).items).toHaveLength(2);
  });

  it('a revoked or expired session reads revoked / expired, not cant_refresh, and says why it cannot refresh', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    const laptop = await h.login(LAPTOP);
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId }, ADMIN);
    await h.engine.admin.revokeSession({ sessionId: phone.sessionId }, ADMIN);
    expect((await list(h, 'revoked')).items).toMatchObject([{ id: phone.sessionId, status: 'revoked', canRefresh: false, cantRefreshReason: 'revoked' }]);
    h.clock.advance(30 * DAY);
    expect((await list(h, 'expired')).items).toMatchObject([{ id: laptop.sessionId, status: 'expired', canRefresh: false, cantRefreshReason: 'expired' }]);
    expect((await list(h, 'cant_refresh')).total).toBe(0);
    expect((await allUsers(h, 'cant_refresh')).total).toBe(0);
  });

  it('a can\'t-refresh session is still open: its blast radius and the user\'s open-session count include it', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId }, ADMIN);
    const radius = await h.engine.admin.previewBlastRadius({ target: { kind: 'session', sessionId: phone.sessionId } }, ADMIN) as { sessions: { id: string }[]; liveAccessTokens: number };
    expect(radius.sessions.map((s) => s.id)).toEqual([phone.sessionId]);
    expect(radius.liveAccessTokens).toBe(1);
    const receipt = await h.engine.admin.revokeSession({ sessionId: phone.sessionId }, ADMIN) as { sessionsRevoked: string[] };
    expect(receipt.sessionsRevoked).toEqual([phone.sessionId]);
  });
});
