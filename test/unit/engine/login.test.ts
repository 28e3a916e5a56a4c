import { DEFAULT_SIGNING_ALG } from '../../../src/main/engine/settings';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { passwordEvaluations } from '../../../src/main/engine/passwords';
import { WardenError } from '../../../src/shared/errors';
import { ADMIN, DAY, HOUR, ISSUER, LAPTOP, MINUTE, PASSWORD, PHONE, SECOND, expectCode, makeHarness, type Harness } from './harness';

describe('login (password grant)', () => {
  it('opens a device session and returns an RFC 9068 access token that jose accepts', async () => {
    const h = await makeHarness();
    const tokens = await h.login(PHONE);
    const { payload, protectedHeader } = await jwtVerify(tokens.accessToken, createLocalJWKSet(h.engine.jwks() as never), {
      issuer: ISSUER,
      audience: 'token-warden-api',
      typ: 'at+jwt',
      currentDate: new Date(h.clock.now()),
    });
    expect(protectedHeader.alg).toBe(DEFAULT_SIGNING_ALG);
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({ sub: h.userId, client_id: 'mobile', sid: tokens.sessionId, jti: tokens.jti });
    // No ID token is issued, so no `openid` by default: no scope asked, none granted, no claim.
    expect(payload).not.toHaveProperty('scope');
    expect(tokens.scope).toBe('');
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(tokens.expiresIn).toBe(600);
    expect(tokens.refreshToken).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    expect(parseInt(tokens.refreshToken.slice(0, 12), 16)).toBe(h.clock.now());
    const sessions = await h.engine.admin.listSessions({ userId: h.userId }, ADMIN) as { items: { deviceName: string; ip: string; userAgent: string; status: string; rememberMe: boolean }[] };
    expect(sessions.items).toEqual([expect.objectContaining({ deviceName: "Ana's phone", ip: '127.0.0.2', userAgent: PHONE.userAgent, status: 'active', rememberMe: false })]);
  });

  it('stores the refresh token only as a key: its creation time, then its SHA-256; keys sort by time', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(tokens.refreshToken).digest('hex');
    const key = `${tokens.refreshToken.slice(0, 12)}${digest.slice(0, 52)}`;
    expect(await h.store.getRefreshToken(key)).toMatchObject({ sessionId: tokens.sessionId, createdAt: h.clock.now() });
    expect(await h.store.getRefreshToken(digest)).toBeUndefined();
    expect(await h.store.getRefreshToken(tokens.refreshToken)).toBeUndefined();
    // The label in events and the console is the first 12 hex digits of the token's SHA-256, as before.
    const login = (await h.store.listAudit({ type: 'user.login', limit: 1 }))[0]!;
    expect(login.data['refreshToken']).toBe(digest.slice(0, 12));

    const keys = [key];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(i === 0 ? 1 : 60_000);
      const next = await h.login(LAPTOP);
      keys.push((await h.store.listRefreshTokensOfSession(next.sessionId))[0]!.hash);
    }
    expect([...keys].sort()).toEqual(keys);
  });

  it('still accepts a refresh token issued in the old shape (43 characters, stored under its full SHA-256)', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    const { createHash, randomBytes } = await import('node:crypto');
    const legacy = randomBytes(32).toString('base64url');
    const legacyKey = createHash('sha256').update(legacy).digest('hex');
    const current = (await h.store.listRefreshTokensOfSession(tokens.sessionId))[0]!;
    await h.store.transaction(async () => {
      await h.store.insertRefreshToken({ ...current, hash: legacyKey, createdAt: h.clock.now() - 1 });
      await h.store.revokeRefreshToken(current.hash, h.clock.now());
    });
    h.clock.advance(SECOND);
    const rotated = await h.engine.refresh({ refreshToken: legacy, clientId: 'mobile', device: PHONE });
    expect(rotated.refreshToken).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    const chain = await h.engine.admin.listSessionTokens({ sessionId: tokens.sessionId }, ADMIN) as { refreshChain: { id: string; successorId: string | null; status: string }[] };
    const old = chain.refreshChain.find((token) => token.id === legacyKey.slice(0, 12))!;
    expect(old.status).toBe('rotated');
    expect(old.successorId).toBe(createHash('sha256').update(rotated.refreshToken).digest('hex').slice(0, 12));
    await expectCode(() => h.engine.refresh({ refreshToken: legacy, clientId: 'mobile', device: PHONE }), 'refresh_token_reused');
  });

  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    const h = await makeHarness();
    await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    await expectCode(() => h.engine.login({ username: 'nobody', password: PASSWORD, clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    const audit = await h.engine.admin.listAudit({ type: 'user.login_failed' }, ADMIN) as { items: { userId: string | null }[] };
    expect(audit.items.map((e) => e.userId)).toEqual([null, h.userId]);
  });

  it('throttles a user after maxFailedLogins failures until loginLockSeconds have passed', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 3, loginLockSeconds: 60 });
    for (let i = 0; i < 3; i += 1) {
      await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    }
    const locked = await expectCode(() => h.login(LAPTOP), 'login_throttled');
    expect(locked.retryAfterSeconds).toBe(60);
    h.clock.advance(59 * SECOND);
    await expectCode(() => h.login(LAPTOP), 'login_throttled');
    h.clock.advance(1 * SECOND);
    await expect(h.login(LAPTOP)).resolves.toHaveProperty('accessToken');
    const throttled = await h.engine.admin.listAudit({ type: 'user.login_throttled' }, ADMIN) as { items: unknown[] };
    expect(throttled.items.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses blocked users, unknown clients and confidential clients', async () => {
    const h = await makeHarness();
    await h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API' }, ADMIN);
    await expectCode(() => h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'nope', device: PHONE, rememberMe: false }), 'invalid_client');
    await expectCode(() => h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'api', device: PHONE, rememberMe: false }), 'unauthorized_client');
    await h.engine.admin.blockUser({ userId: h.userId }, ADMIN);
    await expectCode(() => h.login(PHONE), 'user_blocked');
    await h.engine.admin.unblockUser({ userId: h.userId }, ADMIN);
    await expect(h.login(PHONE)).resolves.toHaveProperty('sessionId');
  });

  it('gives remember-me sessions the long lifetimes and normal sessions the short ones', async () => {
    const h = await makeHarness();
    const start = h.clock.now();
    const normal = await h.login(PHONE, false);
    const remembered = await h.login(LAPTOP, true);
    const normalRow = (await h.store.getSession(normal.sessionId))!;
    const rememberedRow = (await h.store.getSession(remembered.sessionId))!;
    expect([normalRow.idleExpiresAt - start, normalRow.absoluteExpiresAt - start]).toEqual([2 * HOUR, 12 * HOUR]);
    expect([rememberedRow.idleExpiresAt - start, rememberedRow.absoluteExpiresAt - start]).toEqual([7 * DAY, 30 * DAY]);
    expect(rememberedRow.rememberMe).toBe(true);
  });

  it('session limit, policy revoke_oldest: the oldest session is revoked by a new login', async () => {
    const h = await makeHarness();
    await h.settings({ sessionLimit: 2, sessionLimitPolicy: 'revoke_oldest' });
    const first = await h.login(PHONE);
    h.clock.advance(MINUTE);
    const second = await h.login(LAPTOP);
    h.clock.advance(MINUTE);
    const third = await h.login(PHONE);
    expect((await h.store.getSession(first.sessionId))!.revokedAt).toBe(h.clock.now());
    expect((await h.store.getSession(second.sessionId))!.revokedAt).toBeNull();
    expect((await h.store.getSession(third.sessionId))!.revokedAt).toBeNull();
    expect(await h.engine.verifyAccessToken(first.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('session limit, policy reject: a login beyond the limit is refused and nothing is revoked', async () => {
    const h = await makeHarness();
    await h.settings({ sessionLimit: 1, sessionLimitPolicy: 'reject' });
    const first = await h.login(PHONE);
    await expectCode(() => h.login(LAPTOP), 'session_limit_reached');
    expect((await h.engine.verifyAccessToken(first.accessToken)).active).toBe(true);
    await h.engine.admin.revokeSession({ sessionId: first.sessionId }, ADMIN);
    await expect(h.login(LAPTOP)).resolves.toHaveProperty('sessionId');
  });

  it('refuses a malformed scope with invalid_scope, and grants a well-formed one as asked', async () => {
    const h = await makeHarness();
    const attempt = (scope: string) => h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'web', device: LAPTOP, rememberMe: false, scope });
    for (const scope of ['a  b', 'a"b', ' a', 'a\\b', 'x'.repeat(1001)]) await expectCode(() => attempt(scope), 'invalid_scope');
    expect((await attempt('orders:read orders:write')).scope).toBe('orders:read orders:write');
  });

  it('cleans client text on the way in: device name, user agent, and the username of a failed login', async () => {
    const h = await makeHarness();
    const device = { name: 'iPhone\u202Egnp.exe', userAgent: 'Agent\u200B/1.0\u2028next', ip: '127.0.0.9' };
    const tokens = await h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'mobile', device, rememberMe: false });
    expect(await h.store.getSession(tokens.sessionId)).toMatchObject({ deviceName: 'iPhonegnp.exe', userAgent: 'Agent/1.0 next' });
    await expectCode(() => h.engine.login({ username: 'A\u200Bdmin\u0085', password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    const failed = (await h.store.listAudit({ type: 'user.login_failed', limit: 1 }))[0]!;
    expect(failed.data['username']).toBe('Admin');
    // A refresh presents its user agent too: cleaned the same way before it is compared and recorded.
    h.clock.advance(SECOND);
    await h.engine.refresh({ refreshToken: tokens.refreshToken, clientId: 'mobile', device: { ...device, userAgent: 'Other\u202E/2' } });
    const chain = await h.store.listRefreshTokensOfSession(tokens.sessionId);
    expect(chain.map((row) => row.usedUserAgent ?? null)).toContain('Other/2');
  });
});

/** Outcome of a login as a code: 'ok' or the WardenError code. */
function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof WardenError ? error.code : String(error)),
  );
}

function attempt(h: Harness, password: string) {
  return h.engine.login({ username: 'ana', password, clientId: 'web', device: LAPTOP, rememberMe: false });
}

describe('login throttle under concurrency (reserve, then settle)', () => {
  it('an attempt counts from the moment it starts: of 20 simultaneous wrong guesses only maxFailedLogins are evaluated', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 5, loginLockSeconds: 900 });
    const before = passwordEvaluations();
    const results = await Promise.all(Array.from({ length: 20 }, () => outcome(attempt(h, 'wrong password'))));
    expect(passwordEvaluations() - before).toBe(5);
    expect(results.filter((code) => code === 'invalid_credentials')).toHaveLength(5);
    expect(results.filter((code) => code === 'login_throttled')).toHaveLength(15);
    // The count that locked the user is kept while the lock lasts (the console shows it; it read 0 before).
    expect(await h.store.getUser(h.userId)).toMatchObject({ lockedUntil: h.clock.now() + 900 * SECOND, failedLogins: 5 });
    // The audit says what happened: five evaluated failures, one lock, fifteen refusals unevaluated.
    expect(await h.store.listAudit({ type: 'user.login_failed', limit: 100 })).toHaveLength(5);
    const throttled = await h.store.listAudit({ type: 'user.login_throttled', limit: 100 });
    expect(throttled.filter((entry) => entry.actor === 'system')).toHaveLength(1);
    const refusals = throttled.filter((entry) => entry.actor === 'client:web');
    expect(refusals).toHaveLength(15);
    expect(refusals[0]!.data).toMatchObject({ lockedUntil: h.clock.now() + 900 * SECOND, ip: LAPTOP.ip });
  });

  it('a right password that arrives behind the guesses gets the answer a wrong one gets, and is not evaluated', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 3, loginLockSeconds: 60 });
    const passwords = ['wrong guess 1', 'wrong guess 2', 'wrong guess 3', PASSWORD, 'wrong guess 4', PASSWORD, 'wrong guess 5'];
    const before = passwordEvaluations();
    const errors = await Promise.all(passwords.map((password) => attempt(h, password).then(() => undefined, (error: unknown) => error as WardenError)));
    expect(passwordEvaluations() - before).toBe(3);
    expect(errors.slice(0, 3).map((error) => error?.code)).toEqual(['invalid_credentials', 'invalid_credentials', 'invalid_credentials']);
    const refused = errors.slice(3).map((error) => ({ code: error?.code, message: error?.message, retryAfterSeconds: error?.retryAfterSeconds }));
    expect(refused).toEqual(Array(4).fill({ code: 'login_throttled', message: 'Too many failed logins; try again later.', retryAfterSeconds: 60 }));
  });

  it('recorded failures and attempts in flight share the limit', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 5 });
    for (let i = 0; i < 3; i += 1) await expectCode(() => attempt(h, 'wrong password'), 'invalid_credentials');
    const before = passwordEvaluations();
    const results = await Promise.all(Array.from({ length: 6 }, () => outcome(attempt(h, 'wrong password'))));
    expect(passwordEvaluations() - before).toBe(2);
    expect(results).toEqual(['invalid_credentials', 'invalid_credentials', ...Array(4).fill('login_throttled')]);
  });

  it('an attempt that finds the room taken by attempts in flight waits for them instead of being refused', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 1 });
    // A double-submitted form: with room for one attempt, the second waits for the first and then succeeds.
    expect(await Promise.all([outcome(attempt(h, PASSWORD)), outcome(attempt(h, PASSWORD))])).toEqual(['ok', 'ok']);
  });

  it('an admitted attempt is judged by its password alone; a success clears the count', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 3 });
    const results = await Promise.all([PASSWORD, 'wrong guess 1', 'wrong guess 2'].map((password) => outcome(attempt(h, password))));
    expect(results).toEqual(['ok', 'invalid_credentials', 'invalid_credentials']);
    expect((await h.store.getUser(h.userId))!.lockedUntil).toBeNull();
    await expect(attempt(h, PASSWORD)).resolves.toHaveProperty('sessionId');
    expect((await h.store.getUser(h.userId))!.failedLogins).toBe(0);
  });

  it('a limit lowered below the recorded count leaves one attempt, whose failure locks', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 5, loginLockSeconds: 60 });
    for (let i = 0; i < 4; i += 1) await expectCode(() => attempt(h, 'wrong password'), 'invalid_credentials');
    await h.settings({ maxFailedLogins: 2 });
    const results = await Promise.all(Array.from({ length: 3 }, () => outcome(attempt(h, 'wrong password'))));
    expect(results).toEqual(['invalid_credentials', 'login_throttled', 'login_throttled']);
    h.clock.advance(60 * SECOND);
    await expect(h.login(LAPTOP)).resolves.toHaveProperty('sessionId');
  });

  it('unknown usernames have no lock to take part in: each is evaluated (the address throttle bounds them)', async () => {
    const h = await makeHarness();
    await h.settings({ maxFailedLogins: 1 });
    const before = passwordEvaluations();
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => outcome(h.engine.login({ username: `nobody${i}`, password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }))));
    expect(results).toEqual(Array(4).fill('invalid_credentials'));
    expect(passwordEvaluations() - before).toBe(4);
  });
});
