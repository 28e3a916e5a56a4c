import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ADMIN, DAY, HOUR, ISSUER, LAPTOP, MINUTE, PASSWORD, PHONE, SECOND, expectCode, makeHarness } from './harness';

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
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({ sub: h.userId, client_id: 'mobile', sid: tokens.sessionId, scope: 'openid', jti: tokens.jti });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(tokens.expiresIn).toBe(600);
    expect(tokens.refreshToken).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    expect(parseInt(tokens.refreshToken.slice(0, 12), 16)).toBe(h.clock.now());
    const sessions = h.engine.admin.listSessions({ userId: h.userId }, ADMIN) as { items: { deviceName: string; ip: string; userAgent: string; status: string; rememberMe: boolean }[] };
    expect(sessions.items).toEqual([expect.objectContaining({ deviceName: "Ana's phone", ip: '127.0.0.2', userAgent: PHONE.userAgent, status: 'active', rememberMe: false })]);
  });

  it('stores the refresh token only as a key: its creation time, then its SHA-256; keys sort by time', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    const { createHash } = await import('node:crypto');
    const digest = createHash('sha256').update(tokens.refreshToken).digest('hex');
    const key = `${tokens.refreshToken.slice(0, 12)}${digest.slice(0, 52)}`;
    expect(h.store.getRefreshToken(key)).toMatchObject({ sessionId: tokens.sessionId, createdAt: h.clock.now() });
    expect(h.store.getRefreshToken(digest)).toBeUndefined();
    expect(h.store.getRefreshToken(tokens.refreshToken)).toBeUndefined();
    // The label in events and the console is the first 12 hex digits of the token's SHA-256, as before.
    const login = h.store.listAudit({ type: 'user.login', limit: 1 })[0]!;
    expect(login.data['refreshToken']).toBe(digest.slice(0, 12));

    const keys = [key];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(i === 0 ? 1 : 60_000);
      const next = await h.login(LAPTOP);
      keys.push(h.store.listRefreshTokensOfSession(next.sessionId)[0]!.hash);
    }
    expect([...keys].sort()).toEqual(keys);
  });

  it('still accepts a refresh token issued in the old shape (43 characters, stored under its full SHA-256)', async () => {
    const h = await makeHarness();
    const tokens = await h.login();
    const { createHash, randomBytes } = await import('node:crypto');
    const legacy = randomBytes(32).toString('base64url');
    const legacyKey = createHash('sha256').update(legacy).digest('hex');
    const current = h.store.listRefreshTokensOfSession(tokens.sessionId)[0]!;
    h.store.transaction(() => {
      h.store.insertRefreshToken({ ...current, hash: legacyKey, createdAt: h.clock.now() - 1 });
      h.store.revokeRefreshToken(current.hash, h.clock.now());
    });
    h.clock.advance(SECOND);
    const rotated = await h.engine.refresh({ refreshToken: legacy, clientId: 'mobile', device: PHONE });
    expect(rotated.refreshToken).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{43}$/);
    const chain = h.engine.admin.listSessionTokens({ sessionId: tokens.sessionId }, ADMIN) as { refreshChain: { id: string; successorId: string | null; status: string }[] };
    const old = chain.refreshChain.find((token) => token.id === legacyKey.slice(0, 12))!;
    expect(old.status).toBe('rotated');
    expect(old.successorId).toBe(createHash('sha256').update(rotated.refreshToken).digest('hex').slice(0, 12));
    await expectCode(() => h.engine.refresh({ refreshToken: legacy, clientId: 'mobile', device: PHONE }), 'refresh_token_reused');
  });

  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    const h = await makeHarness();
    await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    await expectCode(() => h.engine.login({ username: 'nobody', password: PASSWORD, clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    const audit = h.engine.admin.listAudit({ type: 'user.login_failed' }, ADMIN) as { items: { userId: string | null }[] };
    expect(audit.items.map((e) => e.userId)).toEqual([null, h.userId]);
  });

  it('throttles a user after maxFailedLogins failures until loginLockSeconds have passed', async () => {
    const h = await makeHarness();
    h.settings({ maxFailedLogins: 3, loginLockSeconds: 60 });
    for (let i = 0; i < 3; i += 1) {
      await expectCode(() => h.engine.login({ username: 'ana', password: 'wrong password', clientId: 'web', device: LAPTOP, rememberMe: false }), 'invalid_credentials');
    }
    const locked = await expectCode(() => h.login(LAPTOP), 'login_throttled');
    expect(locked.retryAfterSeconds).toBe(60);
    h.clock.advance(59 * SECOND);
    await expectCode(() => h.login(LAPTOP), 'login_throttled');
    h.clock.advance(1 * SECOND);
    await expect(h.login(LAPTOP)).resolves.toHaveProperty('accessToken');
    const throttled = h.engine.admin.listAudit({ type: 'user.login_throttled' }, ADMIN) as { items: unknown[] };
    expect(throttled.items.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses blocked users, unknown clients and confidential clients', async () => {
    const h = await makeHarness();
    h.engine.admin.createClient({ clientId: 'api', kind: 'confidential', name: 'API' }, ADMIN);
    await expectCode(() => h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'nope', device: PHONE, rememberMe: false }), 'invalid_client');
    await expectCode(() => h.engine.login({ username: 'ana', password: PASSWORD, clientId: 'api', device: PHONE, rememberMe: false }), 'unauthorized_client');
    h.engine.admin.blockUser({ userId: h.userId }, ADMIN);
    await expectCode(() => h.login(PHONE), 'user_blocked');
    h.engine.admin.unblockUser({ userId: h.userId }, ADMIN);
    await expect(h.login(PHONE)).resolves.toHaveProperty('sessionId');
  });

  it('gives remember-me sessions the long lifetimes and normal sessions the short ones', async () => {
    const h = await makeHarness();
    const start = h.clock.now();
    const normal = await h.login(PHONE, false);
    const remembered = await h.login(LAPTOP, true);
    const normalRow = h.store.getSession(normal.sessionId)!;
    const rememberedRow = h.store.getSession(remembered.sessionId)!;
    expect([normalRow.idleExpiresAt - start, normalRow.absoluteExpiresAt - start]).toEqual([2 * HOUR, 12 * HOUR]);
    expect([rememberedRow.idleExpiresAt - start, rememberedRow.absoluteExpiresAt - start]).toEqual([7 * DAY, 30 * DAY]);
    expect(rememberedRow.rememberMe).toBe(true);
  });

  it('session limit, policy revoke_oldest: the oldest session is revoked by a new login', async () => {
    const h = await makeHarness();
    h.settings({ sessionLimit: 2, sessionLimitPolicy: 'revoke_oldest' });
    const first = await h.login(PHONE);
    h.clock.advance(MINUTE);
    const second = await h.login(LAPTOP);
    h.clock.advance(MINUTE);
    const third = await h.login(PHONE);
    expect(h.store.getSession(first.sessionId)!.revokedAt).toBe(h.clock.now());
    expect(h.store.getSession(second.sessionId)!.revokedAt).toBeNull();
    expect(h.store.getSession(third.sessionId)!.revokedAt).toBeNull();
    expect(h.engine.verifyAccessToken(first.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
  });

  it('session limit, policy reject: a login beyond the limit is refused and nothing is revoked', async () => {
    const h = await makeHarness();
    h.settings({ sessionLimit: 1, sessionLimitPolicy: 'reject' });
    const first = await h.login(PHONE);
    await expectCode(() => h.login(LAPTOP), 'session_limit_reached');
    expect(h.engine.verifyAccessToken(first.accessToken).active).toBe(true);
    h.engine.admin.revokeSession({ sessionId: first.sessionId }, ADMIN);
    await expect(h.login(LAPTOP)).resolves.toHaveProperty('sessionId');
  });
});
