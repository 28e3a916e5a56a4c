/**
 * Client administration in the engine: disabling (live sessions revoked on the feed; every grant, the code flow
 * and client authentication refused until enabled, including a login already past its password check), deleting
 * (a tombstone whose id is never reused), secret rotation with an overlap (both accepted during it, the old one
 * refused after, with the injected clock), per-client token lifetimes at issue and refresh, and a client's page.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueAuthorizationCode } from '../../../src/main/engine/authorization-codes';
import { startBrowserSession } from '../../../src/main/engine/browser-sessions';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import { ADMIN, DAY, HOUR, LAPTOP, MINUTE, PHONE, SECOND, expectCode, makeHarness, type Harness } from './harness';

const REDIRECT = 'http://127.0.0.1:9000/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

const auditOf = (h: Harness, type: string) => h.store.listAudit({ type, limit: 50 });
const refresh = (h: Harness, refreshToken: string, clientId = 'mobile') => h.engine.refresh({ refreshToken, clientId, device: PHONE });

async function issueCode(h: Harness, clientId: string): Promise<string> {
  return h.engine.ctx.run(async (tx) => {
    const bs = (await startBrowserSession(h.engine.ctx, tx, { userId: h.userId, rememberMe: false, ip: '127.0.0.9', userAgent: 'Chrome/140' })).row;
    return issueAuthorizationCode(h.engine.ctx, tx, { clientId, userId: h.userId, browserSessionId: bs.id, redirectUri: REDIRECT, codeChallenge: CHALLENGE, scope: 'profile', nonce: null, authTime: bs.authTime });
  });
}
const exchange = (h: Harness, code: string, clientId: string) =>
  h.engine.exchangeCode({ code, redirectUri: REDIRECT, codeVerifier: VERIFIER, clientId, device: LAPTOP, deviceName: () => 'Chrome' });

describe('setClientDisabled', () => {
  it('revokes the live sessions on the feed, refuses logins and refreshes while disabled, and enabling lets new logins in', async () => {
    const h = await makeHarness();
    const one = await h.login(PHONE);
    const two = await h.login(PHONE);
    const other = await h.login(LAPTOP); // the web client: untouched
    const feedBefore = await h.store.lastRevocationId();
    h.clock.advance(SECOND);
    const receipt = await h.engine.admin.setClientDisabled({ clientId: 'mobile', disabled: true, reason: 'lost signing cert' }, ADMIN);
    expect(receipt).toMatchObject({ action: 'disableClient', actor: ADMIN.actor, reason: 'lost signing cert', accessTokensRevoked: 2 });
    expect([...receipt.sessionsRevoked].sort()).toEqual([one.sessionId, two.sessionId].sort());
    // One feed event per session, so a kit refuses each session's access tokens at once.
    const feed = await h.engine.revocationsAfter(feedBefore, 10);
    expect(feed.map((row) => [row.kind, row.subject]).sort()).toEqual([['session', one.sessionId], ['session', two.sessionId]].sort());
    expect(receipt.feedEventId).toBe(Math.max(...feed.map((row) => row.id)));
    expect(await h.engine.verifyAccessToken(one.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect((await h.engine.verifyAccessToken(other.accessToken)).active).toBe(true);
    expect(await h.store.getClient('mobile')).toMatchObject({ disabledAt: h.clock.now(), disabledReason: 'lost signing cert' });

    expect((await expectCode(() => h.login(PHONE), 'invalid_client')).message).toBe('This client is disabled.');
    expect((await expectCode(() => refresh(h, one.refreshToken), 'invalid_client')).message).toBe('This client is disabled.');
    // One audit entry for the batch (a client may hold very many sessions), naming each session and the feed events.
    const [disabled] = await auditOf(h, 'client.disabled');
    expect(disabled).toMatchObject({ actor: ADMIN.actor, reason: 'lost signing cert', data: { clientId: 'mobile', sessionsRevoked: 2, firstFeedEventId: Math.min(...feed.map((row) => row.id)), feedEventId: receipt.feedEventId } });
    expect([...(disabled!.data.sessionIds as string[])].sort()).toEqual([...receipt.sessionsRevoked].sort());
    expect(await auditOf(h, 'session.revoked')).toEqual([]);
    expect(await h.store.getSession(one.sessionId)).toMatchObject({ revokedBy: ADMIN.actor, revokeReason: 'lost signing cert' });

    const enabled = await h.engine.admin.setClientDisabled({ clientId: 'mobile', disabled: false }, ADMIN);
    expect(enabled).toMatchObject({ action: 'enableClient', sessionsRevoked: [] });
    expect(await auditOf(h, 'client.enabled')).toHaveLength(1);
    // Enabling brings nothing back: the revoked sessions stay revoked; a new login works.
    await expectCode(() => refresh(h, two.refreshToken), 'session_revoked');
    await expect(h.login(PHONE)).resolves.toHaveProperty('sessionId');
    expect((await h.engine.admin.verifyAuditChain({}, ADMIN)).ok).toBe(true);
  });

  it('asking for the state it is in is no action: nothing audited', async () => {
    const h = await makeHarness();
    const before = (await h.store.lastAudit())?.seq;
    expect((await h.engine.admin.setClientDisabled({ clientId: 'web', disabled: false }, ADMIN)).sessionsRevoked).toEqual([]);
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });

  it('a login whose password check was running when the client was disabled opens no session', async () => {
    const h = await makeHarness();
    const sessionsBefore = await h.store.countActiveSessions(h.clock.now());
    const pending = h.login(PHONE); // reads the client, then awaits scrypt; the disable commits in between
    await h.engine.admin.setClientDisabled({ clientId: 'mobile', disabled: true }, ADMIN);
    await expectCode(() => pending, 'invalid_client');
    expect(await h.store.countActiveSessions(h.clock.now())).toBe(sessionsBefore);
    expect(await auditOf(h, 'user.login')).toEqual([]);
  });

  it('refuses a disabled confidential client at authentication (introspection, the feed, its grants), only once its secret matched', async () => {
    const h = await makeHarness();
    const { clientSecret } = await h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API', grantTypes: [] }, ADMIN);
    expect((await h.engine.authenticateClient('api', clientSecret!)).clientId).toBe('api');
    await h.engine.admin.setClientDisabled({ clientId: 'api', disabled: true }, ADMIN);
    expect((await expectCode(() => h.engine.authenticateClient('api', clientSecret!), 'invalid_client')).message).toBe('This client is disabled.');
    expect((await expectCode(() => h.engine.authenticateClient('api', 'wrong'), 'invalid_client')).message).toBe('Client authentication failed.');
  });

  it('refuses the code flow: no code is issued, and a code issued before the disable opens no session', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'rp', kind: 'public', name: 'RP', redirectUris: [REDIRECT] }, ADMIN);
    const early = await issueCode(h, 'rp');
    await h.engine.admin.setClientDisabled({ clientId: 'rp', disabled: true }, ADMIN);
    await expectCode(() => issueCode(h, 'rp'), 'invalid_client');
    await expectCode(() => exchange(h, early, 'rp'), 'invalid_client');
    expect(await h.store.clientSessions.countLiveSessionsOf('rp', h.clock.now())).toBe(0);
  });

  it('is owner-only in the contract and an unknown client is not_found', async () => {
    const h = await makeHarness();
    expect(await dispatchAdmin(h.engine.admin, 'setClientDisabled', { clientId: 'nobody', disabled: true }, ADMIN)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const { adminApi } = await import('../../../src/shared/admin-api');
    expect([adminApi.setClientDisabled.role, adminApi.deleteClient.role, adminApi.rotateClientSecret.role, adminApi.getClient.role]).toEqual(['owner', 'owner', 'owner', 'viewer']);
  });
});

describe('deleteClient', () => {
  it('needs the id typed as confirmation, revokes first, leaves a tombstone whose id is never reused, and keeps the audit', async () => {
    const h = await makeHarness();
    const session = await h.login(PHONE);
    const before = (await h.store.lastAudit())?.seq;
    expect(await dispatchAdmin(h.engine.admin, 'deleteClient', { clientId: 'mobile', confirm: 'mobil' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await h.store.lastAudit())?.seq).toBe(before);

    const receipt = await h.engine.admin.deleteClient({ clientId: 'mobile', confirm: 'mobile', reason: 'app retired' }, ADMIN);
    expect(receipt).toMatchObject({ action: 'deleteClient', sessionsRevoked: [session.sessionId], feedEventId: expect.any(Number) });
    expect(await h.store.getSession(session.sessionId)).toMatchObject({ revokedBy: ADMIN.actor, revokeReason: 'app retired' });
    expect((await h.engine.admin.listClients({}, ADMIN)).map((c) => c.clientId)).not.toContain('mobile');
    expect(await h.engine.getClient('mobile')).toBeUndefined();
    expect(await h.store.getClient('mobile')).toMatchObject({ deletedAt: h.clock.now(), secretHash: null });
    expect((await expectCode(() => h.login(PHONE), 'invalid_client')).message).toBe('Unknown client.');
    await expectCode(() => refresh(h, session.refreshToken), 'invalid_client');
    await expectCode(() => h.engine.admin.getClient({ clientId: 'mobile' }, ADMIN), 'not_found');
    await expectCode(() => h.engine.admin.updateClient({ clientId: 'mobile', name: 'Back' }, ADMIN), 'not_found');
    const reused = await expectCode(() => h.engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'New' }, ADMIN), 'conflict');
    expect(reused.message).toMatch(/never reused/);
    // The history stays: the login and the deletion are both on record.
    expect((await auditOf(h, 'user.login')).some((entry) => entry.data.clientId === 'mobile')).toBe(true);
    expect((await auditOf(h, 'client.deleted'))[0]).toMatchObject({ actor: ADMIN.actor, data: { clientId: 'mobile', sessionsRevoked: 1 } });
  });
});

describe('rotateClientSecret', () => {
  async function confidential() {
    const h = await makeHarness();
    const { clientSecret } = await h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API', grantTypes: [] }, ADMIN);
    return { h, old: clientSecret! };
  }

  it('with an overlap both secrets work until it ends; then only the new one', async () => {
    const { h, old } = await confidential();
    h.clock.advance(MINUTE);
    const rotated = await h.engine.admin.rotateClientSecret({ clientId: 'api', overlapSeconds: 3600 }, ADMIN);
    expect(rotated.previousValidUntil).toBe(h.clock.now() + HOUR);
    expect(rotated.clientSecret).not.toBe(old);
    expect((await h.engine.authenticateClient('api', old)).clientId).toBe('api');
    expect((await h.engine.authenticateClient('api', rotated.clientSecret)).clientId).toBe('api');
    expect((await h.engine.admin.getClient({ clientId: 'api' }, ADMIN)).client.previousSecretExpiresAt).toBe(rotated.previousValidUntil);
    h.clock.advance(HOUR - 1);
    expect((await h.engine.authenticateClient('api', old)).clientId).toBe('api');
    h.clock.advance(1);
    await expectCode(() => h.engine.authenticateClient('api', old), 'invalid_client');
    expect((await h.engine.authenticateClient('api', rotated.clientSecret)).clientId).toBe('api');
    // Audited without the secret or its hash.
    const [entry] = await auditOf(h, 'client.secret_rotated');
    expect(entry).toMatchObject({ actor: ADMIN.actor, data: { clientId: 'api', overlapSeconds: 3600, previousValidUntil: rotated.previousValidUntil } });
    const row = (await h.store.getClient('api'))!;
    expect(JSON.stringify(entry)).not.toContain(rotated.clientSecret);
    expect(JSON.stringify(entry)).not.toContain(row.secretHash!);
  });

  it('with no overlap the old secret fails at once; a second rotation during an overlap ends it (never two old secrets)', async () => {
    const { h, old } = await confidential();
    const first = await h.engine.admin.rotateClientSecret({ clientId: 'api', overlapSeconds: 0 }, ADMIN);
    expect(first.previousValidUntil).toBeNull();
    await expectCode(() => h.engine.authenticateClient('api', old), 'invalid_client');
    const second = await h.engine.admin.rotateClientSecret({ clientId: 'api', overlapSeconds: DAY / 1000 }, ADMIN);
    const third = await h.engine.admin.rotateClientSecret({ clientId: 'api', overlapSeconds: 60 }, ADMIN);
    await expectCode(() => h.engine.authenticateClient('api', first.clientSecret), 'invalid_client');
    expect((await h.engine.authenticateClient('api', second.clientSecret)).clientId).toBe('api');
    expect((await h.engine.authenticateClient('api', third.clientSecret)).clientId).toBe('api');
    expect((await auditOf(h, 'client.secret_rotated'))[0]?.data).toMatchObject({ endedEarlierOverlap: true });
  });

  it('refuses a public client and an overlap beyond 30 days, changing nothing', async () => {
    const { h } = await confidential();
    const before = (await h.store.lastAudit())?.seq;
    await expectCode(() => h.engine.admin.rotateClientSecret({ clientId: 'web', overlapSeconds: 0 }, ADMIN), 'invalid_input');
    expect(await dispatchAdmin(h.engine.admin, 'rotateClientSecret', { clientId: 'api', overlapSeconds: 30 * 86400 + 1 }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });
});

describe('per-client token lifetimes', () => {
  it('issue and refresh honour the client’s own lifetimes; null goes back to the install setting', async () => {
    const h = await makeHarness();
    await h.settings({ accessTokenTtlSeconds: 600, idleSeconds: 2 * 3600, absoluteSeconds: 12 * 3600 });
    await h.engine.admin.updateClient({ clientId: 'mobile', accessTokenTtlSeconds: 120, refreshIdleSeconds: 900, refreshAbsoluteSeconds: 3600 }, ADMIN);
    const start = h.clock.now();
    const tokens = await h.login(PHONE);
    expect(tokens.expiresIn).toBe(120);
    expect(await h.store.getSession(tokens.sessionId)).toMatchObject({ idleExpiresAt: start + 900 * SECOND, absoluteExpiresAt: start + HOUR });
    h.clock.advance(10 * MINUTE);
    const refreshed = await refresh(h, tokens.refreshToken);
    expect(refreshed.expiresIn).toBe(120);
    expect((await h.store.getSession(tokens.sessionId))?.idleExpiresAt).toBe(h.clock.now() + 900 * SECOND);
    // Idle past the client's 15 minutes (the install's would be 2 h): expired.
    h.clock.advance(16 * MINUTE);
    await expectCode(() => refresh(h, refreshed.refreshToken), 'session_expired');

    const web = await h.login(LAPTOP); // another client: the install's
    expect(web.expiresIn).toBe(600);
    await h.engine.admin.updateClient({ clientId: 'mobile', accessTokenTtlSeconds: null, refreshIdleSeconds: null, refreshAbsoluteSeconds: null }, ADMIN);
    expect((await h.login(PHONE)).expiresIn).toBe(600);
  });

  it('an access-token lifetime longer than the install’s is capped by it (key retirement and blast radii assume the install’s)', async () => {
    const h = await makeHarness();
    await h.settings({ accessTokenTtlSeconds: 300 });
    await h.engine.admin.updateClient({ clientId: 'mobile', accessTokenTtlSeconds: 3600 }, ADMIN);
    expect((await h.login(PHONE)).expiresIn).toBe(300);
  });

  it('refuses an idle lifetime longer than the absolute one, and out-of-range values, naming the field', async () => {
    const h = await makeHarness();
    await h.engine.admin.updateClient({ clientId: 'mobile', refreshAbsoluteSeconds: 3600 }, ADMIN);
    // The rule holds against the stored value too, not only within one input.
    const error = await expectCode(() => h.engine.admin.updateClient({ clientId: 'mobile', refreshIdleSeconds: 7200 }, ADMIN), 'invalid_input');
    expect(error.message).toBe('Invalid input for updateClient: refreshIdleSeconds: the idle lifetime cannot be longer than the absolute one');
    expect(await dispatchAdmin(h.engine.admin, 'updateClient', { clientId: 'mobile', accessTokenTtlSeconds: 5 }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatchAdmin(h.engine.admin, 'createClient', { clientId: 'x', kind: 'public', name: 'X', refreshIdleSeconds: 7200, refreshAbsoluteSeconds: 3600 }, ADMIN)).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect((await h.store.getClient('mobile'))?.refreshIdleSeconds).toBeNull();
    expect((await auditOf(h, 'client.updated'))[0]?.data).toEqual({ clientId: 'mobile', changes: { refreshAbsoluteSeconds: { from: null, to: 3600 } } });
  });
});

describe('getClient', () => {
  it('counts and lists the client’s live sessions only', async () => {
    const h = await makeHarness();
    const kept = await h.login(PHONE);
    const revoked = await h.login(PHONE);
    await h.login(LAPTOP);
    await h.engine.admin.revokeSession({ sessionId: revoked.sessionId }, ADMIN);
    const detail = await h.engine.admin.getClient({ clientId: 'mobile' }, ADMIN);
    expect(detail.client.clientId).toBe('mobile');
    expect(detail.liveSessions).toBe(1);
    expect(detail.sessions.map((s) => s.id)).toEqual([kept.sessionId]);
    expect(detail.sessions[0]).toMatchObject({ username: 'ana', clientId: 'mobile', status: 'active' });
    // Past its idle expiry it is no longer live (the store's rule: live_until > now).
    h.clock.advance(3 * HOUR);
    expect(await h.engine.admin.getClient({ clientId: 'mobile' }, ADMIN)).toMatchObject({ liveSessions: 0, sessions: [] });
  });
});
