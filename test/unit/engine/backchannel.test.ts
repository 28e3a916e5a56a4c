/**
 * Back-channel logout, the engine's half (src/main/engine/backchannel.ts): every ended session of a client with
 * a backchannelLogoutUri owes one logout token, recorded in the revocation's own transaction; rows are leased
 * while attempted; outcomes are judged, retried with backoff for a bounded time and audited. Frozen clock.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  BACKCHANNEL_LOGOUT_EVENT, claimDueLogouts, GIVE_UP_AFTER_MS, MAX_RETRY_MS, recordLogoutAttempt, retryDelayMs,
} from '../../../src/main/engine/backchannel';
import { revokeSession } from '../../../src/main/engine/revoke';
import { ADMIN, ISSUER, LAPTOP, MINUTE, PHONE, SECOND, makeHarness, type Harness } from './harness';

const RECEIVER = 'http://127.0.0.1:9/backchannel-logout';
const LEASE = 10 * SECOND;

async function harnessWithReceiver(): Promise<Harness> {
  const h = await makeHarness();
  // 'mobile' takes logout tokens, signed with the alg its ID tokens use (the install's ES256 here); 'web' (LAPTOP) does not.
  await h.engine.admin.updateClient({ clientId: 'mobile', backchannelLogoutUri: RECEIVER, idTokenSignedResponseAlg: 'ES256' }, ADMIN);
  return h;
}

const outboxOf = (h: Harness, sessionId: string) => h.store.backchannelOutbox.listBySession(sessionId);
const auditOf = (h: Harness, type: string) => h.store.listAudit({ type, limit: 100 });

describe('back-channel logout outbox', () => {
  it('force logout queues one token per session of a client that takes them, linked to the receipt’s feed event', async () => {
    const h = await harnessWithReceiver();
    const phone1 = await h.login(PHONE);
    const phone2 = await h.login(PHONE);
    const laptop = await h.login(LAPTOP);
    const receipt = await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    expect(receipt.feedEventId).not.toBeNull();
    const rows = await h.engine.admin.listBackchannelDeliveries({ feedEventId: receipt.feedEventId! }, ADMIN);
    expect(rows.map((row) => row.sessionId).sort()).toEqual([phone1.sessionId, phone2.sessionId].sort());
    expect(rows.every((row) => row.state === 'pending' && row.clientId === 'mobile' && row.uri === RECEIVER && row.attempts === 0)).toBe(true);
    expect(await outboxOf(h, laptop.sessionId)).toEqual([]);
  });

  it('revokeSession, refresh-token reuse and the session limit each queue one, with their own feed event', async () => {
    const h = await harnessWithReceiver();
    const revoked = await h.login(PHONE);
    const receipt = await h.engine.admin.revokeSession({ sessionId: revoked.sessionId }, ADMIN);
    expect((await outboxOf(h, revoked.sessionId)).map((row) => row.revocationId)).toEqual([receipt.feedEventId]);

    const stolen = await h.login(PHONE);
    await h.engine.refresh({ refreshToken: stolen.refreshToken, clientId: 'mobile', device: PHONE });
    await expect(h.engine.refresh({ refreshToken: stolen.refreshToken, clientId: 'mobile', device: PHONE })).rejects.toThrow();
    expect(await outboxOf(h, stolen.sessionId)).toHaveLength(1);

    await h.settings({ sessionLimit: 1, sessionLimitPolicy: 'revoke_oldest' });
    const oldest = await h.login(PHONE);
    await h.login(PHONE);
    expect(await outboxOf(h, oldest.sessionId)).toHaveLength(1);
    expect((await outboxOf(h, oldest.sessionId))[0]!.revocationId).not.toBeNull();
  });

  it('the logout matrix: block ends app sessions; a refresh-version bump or an access-token revoke ends none', async () => {
    const h = await harnessWithReceiver();
    const bumped = await h.login(PHONE);
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId }, ADMIN);
    const jti = await h.login(PHONE);
    await h.engine.admin.revokeAccessToken({ jti: jti.jti }, ADMIN);
    expect([...await outboxOf(h, bumped.sessionId), ...await outboxOf(h, jti.sessionId)]).toEqual([]);
    const receipt = await h.engine.admin.blockUser({ userId: h.userId }, ADMIN);
    const rows = await h.engine.admin.listBackchannelDeliveries({ feedEventId: receipt.feedEventId! }, ADMIN);
    expect(rows.map((row) => row.sessionId).sort()).toEqual([bumped.sessionId, jti.sessionId].sort());
  });

  it('a revocation that rolls back leaves no row behind (same transaction)', async () => {
    const h = await harnessWithReceiver();
    const tokens = await h.login(PHONE);
    const session = (await h.store.getSession(tokens.sessionId))!;
    await expect(() =>
      h.engine.ctx.run(async (tx) => {
        await revokeSession(h.engine.ctx, tx, session, 'admin:test', null, 'admin', true);
        expect(await outboxOf(h, session.id)).toHaveLength(1);
        throw new Error('the commit fails');
      }),
    ).rejects.toThrow('the commit fails');
    expect(await outboxOf(h, session.id)).toEqual([]);
    expect((await h.store.getSession(session.id))!.revokedAt).toBeNull();
  });

  it('a leased row is not claimed again until its lease ends; then it is (a worker that died mid-attempt)', async () => {
    const h = await harnessWithReceiver();
    const tokens = await h.login(PHONE);
    await h.engine.admin.revokeSession({ sessionId: tokens.sessionId }, ADMIN);
    const [first] = await claimDueLogouts(h.engine.ctx, 10, LEASE);
    expect(first!.row.attempts).toBe(1);
    expect(await claimDueLogouts(h.engine.ctx, 10, LEASE)).toEqual([]);
    h.clock.advance(LEASE - 1);
    expect(await claimDueLogouts(h.engine.ctx, 10, LEASE)).toEqual([]);
    h.clock.advance(1);
    const [again] = await claimDueLogouts(h.engine.ctx, 10, LEASE);
    expect(again!.row.id).toBe(first!.row.id);
    expect(again!.row.attempts).toBe(2);
    // The same jti on every attempt (a receiver drops a repeat), a fresh iat (receivers check freshness).
    const a = JSON.parse(Buffer.from(first!.logoutToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    const b = JSON.parse(Buffer.from(again!.logoutToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(b.jti).toBe(a.jti);
    expect(b.iat).toBe((a.iat as number) + LEASE / 1000);
  });

  it('the logout token verifies against the JWKS as Back-Channel Logout §2.4/§2.6 asks', async () => {
    const h = await harnessWithReceiver();
    const tokens = await h.login(PHONE);
    await h.engine.admin.revokeSession({ sessionId: tokens.sessionId }, ADMIN);
    const [due] = await claimDueLogouts(h.engine.ctx, 1, LEASE);
    const jwks = createLocalJWKSet(h.engine.jwks() as unknown as Parameters<typeof createLocalJWKSet>[0]);
    const { payload, protectedHeader } = await jwtVerify(due!.logoutToken, jwks, {
      issuer: ISSUER,
      audience: 'mobile',
      typ: 'logout+jwt',
      algorithms: ['ES256'],
      requiredClaims: ['iat', 'exp', 'jti', 'sid', 'events'],
      currentDate: new Date(h.clock.now()),
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(decodeProtectedHeader(due!.logoutToken).kid).toBe(h.engine.ctx.keys.activeKid('ES256'));
    expect(payload).toMatchObject({ sid: tokens.sessionId, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } });
    // One session's token: no sub, which receivers take for "all of the user's sessions".
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('nonce');
  });

  it('judges outcomes: 2xx delivered, 5xx/no answer retried with doubling waits, 400 and redirects refused; each audited', async () => {
    const h = await harnessWithReceiver();
    const ctx = h.engine.ctx;
    const tokens = await h.login(PHONE);
    await h.engine.admin.revokeSession({ sessionId: tokens.sessionId }, ADMIN);
    const [first] = await claimDueLogouts(ctx, 1, LEASE);
    expect(await recordLogoutAttempt(ctx, first!.row, { status: 503, error: null, latencyMs: 12 })).toBe(true);
    let row = (await h.store.backchannelOutbox.get(first!.row.id))!;
    expect(row).toMatchObject({ leaseUntil: null, lastStatus: 503, nextAttemptAt: h.clock.now() + 1 * SECOND, deliveredAt: null, failedAt: null });
    expect((await auditOf(h, 'backchannel_logout.failed'))[0]!.data).toMatchObject({ clientId: 'mobile', status: 503, latencyMs: 12, final: false, attempt: 1 });

    h.clock.advance(SECOND);
    const [second] = await claimDueLogouts(ctx, 1, LEASE);
    await recordLogoutAttempt(ctx, second!.row, { status: null, error: 'connection failed (ECONNREFUSED)', latencyMs: 1 });
    row = (await h.store.backchannelOutbox.get(first!.row.id))!;
    expect(row.nextAttemptAt).toBe(h.clock.now() + 2 * SECOND);
    expect(row.lastError).toBe('connection failed (ECONNREFUSED)');

    h.clock.advance(2 * SECOND);
    const [third] = await claimDueLogouts(ctx, 1, LEASE);
    await recordLogoutAttempt(ctx, third!.row, { status: 204, error: null, latencyMs: 3 });
    row = (await h.store.backchannelOutbox.get(first!.row.id))!;
    expect(row).toMatchObject({ deliveredAt: h.clock.now(), lastStatus: 204, attempts: 3 });
    const [delivered] = await auditOf(h, 'backchannel_logout.delivered');
    expect(delivered).toMatchObject({ userId: h.userId, sessionId: tokens.sessionId, actor: 'system' });
    expect(delivered!.data).toMatchObject({ clientId: 'mobile', status: 204, latencyMs: 3, sinceRevocationMs: 3 * SECOND, attempt: 3 });
    // Settled: a late report (another worker's, after its lease ran out) changes and audits nothing.
    const seq = (await h.store.lastAudit())!.seq;
    expect(await recordLogoutAttempt(ctx, third!.row, { status: 200, error: null, latencyMs: 1 })).toBe(false);
    expect((await h.store.lastAudit())!.seq).toBe(seq);
    expect(await claimDueLogouts(ctx, 10, LEASE)).toEqual([]);

    for (const status of [400, 302]) {
      const other = await h.login(PHONE);
      await h.engine.admin.revokeSession({ sessionId: other.sessionId }, ADMIN);
      const [due] = await claimDueLogouts(ctx, 1, LEASE);
      await recordLogoutAttempt(ctx, due!.row, { status, error: null, latencyMs: 1 });
      expect(await h.store.backchannelOutbox.get(due!.row.id)).toMatchObject({ failedAt: h.clock.now(), lastStatus: status, attempts: 1 });
      expect((await auditOf(h, 'backchannel_logout.failed'))[0]!.data).toMatchObject({ status, final: true, nextAttemptAt: null });
    }
  });

  it('stops retrying once the bounded time is over: the row fails, audited as final', async () => {
    const h = await harnessWithReceiver();
    const ctx = h.engine.ctx;
    const tokens = await h.login(PHONE);
    await h.engine.admin.revokeSession({ sessionId: tokens.sessionId }, ADMIN);
    const start = h.clock.now();
    let attempts = 0;
    for (;;) {
      const due = await claimDueLogouts(ctx, 1, LEASE);
      if (due.length === 0) {
        const next = await h.store.backchannelOutbox.nextDueAt();
        if (next === undefined) break;
        h.clock.set(next);
        continue;
      }
      attempts += 1;
      expect(attempts).toBeLessThan(50);
      await recordLogoutAttempt(ctx, due[0]!.row, { status: 500, error: null, latencyMs: 1 });
    }
    const row = (await outboxOf(h, tokens.sessionId))[0]!;
    expect(row.failedAt).not.toBeNull();
    expect(row.failedAt! - start).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    expect(row.attempts).toBe(attempts);
    // 1 s, 2 s, … 256 s, then every 5 min until the hour is over (docs/sign-in.md says 20).
    expect(attempts).toBe(20);
    const failures = await auditOf(h, 'backchannel_logout.failed');
    expect(failures).toHaveLength(attempts);
    expect(failures[0]!.data).toMatchObject({ final: true });
    expect(failures.slice(1).every((entry) => entry.data.final === false)).toBe(true);
  });

  it('backoff doubles from 1 s and is capped', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30)).toBe(MAX_RETRY_MS);
    expect(MAX_RETRY_MS).toBe(5 * MINUTE);
  });
});
