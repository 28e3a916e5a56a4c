import { DEFAULT_SIGNING_ALG } from '../../../src/main/engine/settings';
import { describe, expect, it } from 'vitest';
import { dispatchAdmin } from '../../../src/main/engine/dispatch';
import { ADMIN, PHONE, makeHarness, type Harness } from './harness';

/** Everything an admin call could change, so a refused call can be shown to have changed nothing. */
async function snapshot(h: Harness) {
  const now = h.clock.now();
  return JSON.stringify({
    audit: (await h.store.lastAudit())?.seq,
    users: await h.store.listUsers({ offset: 0, limit: 500 }),
    sessions: await h.store.listSessions({ now, offset: 0, limit: 500 }),
    keys: await h.store.listKeys(),
    clients: await h.store.listClients(),
    revocations: await h.store.listRevocationsAfter(0, 1000),
    settings: h.engine.ctx.settings,
  });
}

const MALFORMED: [unknown, unknown][] = [
  ['createUser', { username: '', password: 'long enough' }],
  ['createUser', { username: 'a b', password: 'long enough' }],
  ['createUser', { username: 'x'.repeat(65), password: 'long enough' }],
  ['createUser', { username: 'bob', password: 'short' }],
  ['createUser', { username: 'bob', password: 'p'.repeat(257) }],
  ['createUser', { username: 42, password: 'long enough' }],
  ['createUser', { username: 'bob', password: 'long enough', admin: true }],
  ['createUser', 'not an object'],
  ['createUser', null],
  ['forceLogout', {}],
  ['forceLogout', { userId: '' }],
  ['forceLogout', { userId: ['usr_1'] }],
  ['revokeSession', { sessionId: 'x'.repeat(201) }],
  ['revokeAccessToken', { jti: 7 }],
  ['listUsers', { limit: 0 }],
  ['listUsers', { limit: 501 }],
  ['listUsers', { offset: -1 }],
  ['listUsers', { search: 'x'.repeat(255) }],
  ['listUsers', { status: 'gone' }],
  ['listUsers', { sort: { by: 'email', dir: 'asc' } }],
  ['listUsers', { sort: { by: 'username' } }],
  ['updateUser', { userId: 'usr_1', email: 'not an address' }],
  ['updateUser', { userId: 'usr_1', displayName: '   ' }],
  ['updateUser', { userId: 'usr_1', displayName: 'x'.repeat(201) }],
  ['updateUser', { userId: 'usr_1', attributes: { 'has space': 'x' } }],
  ['updateUser', { userId: 'usr_1', attributes: { team: 'x'.repeat(501) } }],
  ['updateUser', { userId: 'usr_1', attributes: { team: 7 } }],
  ['updateUser', { userId: 'usr_1', attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, 'x'])) }],
  ['setUserPassword', { userId: 'usr_1', password: 'short' }],
  ['setUserPassword', { userId: 'usr_1', password: 'long enough', revokeSessions: 'yes' }],
  ['unlockUser', { userId: 'usr_1', also: true }],
  ['deleteUser', { userId: 'usr_1' }],
  ['listAudit', { beforeSeq: 'last' }],
  ['updateSettings', { accessTokenTtlSeconds: -5 }],
  ['updateSettings', { accessTokenTtlSeconds: 1.5 }],
  ['updateSettings', { sessionLimitPolicy: 'kick_everyone' }],
  ['updateSettings', { idleSeconds: 99_999, absoluteSeconds: 100 }],
  ['updateSettings', { unknownSetting: 1 }],
  ['rotateSigningKey', { alg: 'HS256' }],
  ['createClient', { clientId: 'ok', kind: 'trusted', name: 'x' }],
  ['previewBlastRadius', { target: { kind: 'planet', id: 'earth' } }],
  ['inspectToken', { token: 'x'.repeat(16_385) }],
  ['dropDatabase', {}],
  [{ toString: () => 'createUser' }, {}],
  [undefined, {}],
];

describe('admin API input validation', () => {
  it.each(MALFORMED)('%s with %j gets a coded error and changes nothing', async (method, input) => {
    const h = await makeHarness();
    await h.login(PHONE);
    const before = await snapshot(h);
    const result = await dispatchAdmin(h.engine.admin, method, input, ADMIN);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(['invalid_input', 'unknown_method']).toContain(result.error.code);
      expect(result.error.message.length).toBeGreaterThan(0);
    }
    expect(await snapshot(h)).toBe(before);
  });

  it('conflicts and missing targets are coded, not thrown', async () => {
    const h = await makeHarness();
    expect(await dispatchAdmin(h.engine.admin, 'createUser', { username: 'ana', password: 'another password' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await dispatchAdmin(h.engine.admin, 'createClient', { clientId: 'web', kind: 'public', name: 'dup' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await dispatchAdmin(h.engine.admin, 'forceLogout', { userId: 'usr_missing' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatchAdmin(h.engine.admin, 'revokeAccessToken', { jti: 'at_missing' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await dispatchAdmin(h.engine.admin, 'listSessionTokens', { sessionId: 'ses_missing' }, ADMIN)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('an internal fault is reported as internal_error without its detail', async () => {
    const h = await makeHarness();
    const broken = { ...h.engine.admin, getStats: () => { throw new Error('SQLITE_CORRUPT: secret detail'); } };
    const faults: unknown[] = [];
    const result = await dispatchAdmin(broken, 'getStats', {}, ADMIN, (e) => faults.push(e));
    expect(result).toEqual({ ok: false, error: { code: 'internal_error', message: 'An internal error occurred.' } });
    expect(faults).toHaveLength(1);
  });
});

describe('inspectToken', () => {
  it('explains an access token, a refresh token and garbage', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const access = (await dispatchAdmin(h.engine.admin, 'inspectToken', { token: tokens.accessToken }, ADMIN)) as { ok: true; value: Record<string, unknown> };
    expect(access.value).toMatchObject({ kind: 'access_token', active: true, signatureValid: true, sessionId: tokens.sessionId, userId: h.userId, username: 'ana', secondsToExpiry: 600 });
    expect(access.value.header).toMatchObject({ typ: 'at+jwt', alg: DEFAULT_SIGNING_ALG });
    const refresh = (await dispatchAdmin(h.engine.admin, 'inspectToken', { token: tokens.refreshToken }, ADMIN)) as { ok: true; value: Record<string, unknown> };
    expect(refresh.value).toMatchObject({ kind: 'refresh_token', active: true, sessionId: tokens.sessionId });
    await h.engine.refresh({ refreshToken: tokens.refreshToken, clientId: 'mobile', device: PHONE });
    const rotated = (await dispatchAdmin(h.engine.admin, 'inspectToken', { token: tokens.refreshToken }, ADMIN)) as { ok: true; value: Record<string, unknown> };
    expect(rotated.value).toMatchObject({ kind: 'refresh_token', active: false, reason: 'rotated' });
    const junk = (await dispatchAdmin(h.engine.admin, 'inspectToken', { token: 'hello world' }, ADMIN)) as { ok: true; value: Record<string, unknown> };
    expect(junk.value).toMatchObject({ kind: 'unknown', active: false });
    await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN);
    const revoked = (await dispatchAdmin(h.engine.admin, 'inspectToken', { token: tokens.accessToken }, ADMIN)) as { ok: true; value: Record<string, unknown> };
    expect(revoked.value).toMatchObject({ active: false, reason: 'issued_before_not_before', signatureValid: true });
  });
});

describe('blast radius', () => {
  it('previews what a force logout kills, then the receipt matches it', async () => {
    const h = await makeHarness();
    const phone = await h.login(PHONE);
    await h.engine.refresh({ refreshToken: phone.refreshToken, clientId: 'mobile', device: PHONE });
    const preview = await h.engine.admin.previewBlastRadius({ target: { kind: 'user', userId: h.userId } }, ADMIN) as { liveAccessTokens: number; devices: string[]; refreshFamilies: number; worstCaseExpiry: number };
    expect(preview).toMatchObject({ liveAccessTokens: 2, devices: ["Ana's phone"], refreshFamilies: 1, worstCaseExpiry: h.clock.now() + 600_000 });
    const receipt = await h.engine.admin.forceLogout({ userId: h.userId }, ADMIN) as { accessTokensRevoked: number; sessionsRevoked: string[] };
    expect(receipt.accessTokensRevoked).toBe(2);
    expect(receipt.sessionsRevoked).toEqual([phone.sessionId]);
    expect(await h.engine.admin.previewBlastRadius({ target: { kind: 'user', userId: h.userId } }, ADMIN)).toMatchObject({ liveAccessTokens: 0, refreshFamilies: 0 });
  });
});

describe('restart', () => {
  it('close and reopen loses no revocation', async () => {
    const h = await makeHarness();
    const a = await h.login(PHONE);
    const b = await h.login(PHONE);
    await h.engine.admin.revokeSession({ sessionId: a.sessionId }, ADMIN);
    await h.engine.admin.revokeAccessToken({ jti: b.jti }, ADMIN);
    await h.restart();
    expect(await h.engine.verifyAccessToken(a.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect(await h.engine.verifyAccessToken(b.accessToken)).toMatchObject({ active: false, reason: 'jti_revoked' });
    await expect(h.engine.refresh({ refreshToken: a.refreshToken, clientId: 'mobile', device: PHONE })).rejects.toMatchObject({ code: 'session_revoked' });
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });
});
