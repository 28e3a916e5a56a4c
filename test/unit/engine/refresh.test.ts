import { describe, expect, it } from 'vitest';
import { ADMIN, DAY, HOUR, LAPTOP, MINUTE, PHONE, SECOND, expectCode, makeHarness } from './harness';

const refreshOf = (h: Awaited<ReturnType<typeof makeHarness>>, refreshToken: string, clientId = 'mobile', device = PHONE) =>
  h.engine.refresh({ refreshToken, clientId, device });

describe('refresh (rotation)', () => {
  it('rotates: a new pair, the old token marked used and linked to its successor in the same family', async () => {
    const h = await makeHarness();
    const first = await h.login();
    h.clock.advance(5 * MINUTE);
    const second = await refreshOf(h, first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.sessionId).toBe(first.sessionId);
    const chain = await h.engine.admin.listSessionTokens({ sessionId: first.sessionId }, ADMIN) as { refreshChain: { status: string; successorId: string | null; id: string }[] };
    expect(chain.refreshChain.map((r) => r.status)).toEqual(['rotated', 'current']);
    expect(chain.refreshChain[0]!.successorId).toBe(chain.refreshChain[1]!.id);
    expect((await h.store.getSession(first.sessionId))!.lastActivityAt).toBe(h.clock.now());
  });

  it("the session's lifecycle shows every rotation: audited ones from the audit chain, the others read back from the refresh chain", async () => {
    const h = await makeHarness();
    await h.settings({ reuseGraceSeconds: 10 });
    const login = await h.login();
    h.clock.advance(MINUTE);
    const quiet = await refreshOf(h, login.refreshToken, 'mobile', { ...PHONE, ip: '198.51.100.7' });
    const quietAt = h.clock.now();
    h.clock.advance(MINUTE);
    await h.settings({ auditRefreshes: true });
    const loud = await refreshOf(h, quiet.refreshToken);
    await h.settings({ auditRefreshes: false });
    h.clock.advance(SECOND);
    await refreshOf(h, quiet.refreshToken); // a grace retry: always audited
    h.clock.advance(MINUTE);
    await h.engine.admin.revokeSession({ sessionId: login.sessionId, reason: 'done' }, ADMIN);

    type Entry = { type: string; seq: number | null; at: number; hash: string | null; data: Record<string, unknown> };
    const { timeline, refreshChain } = await h.engine.admin.listSessionTokens({ sessionId: login.sessionId }, ADMIN) as { timeline: Entry[]; refreshChain: { id: string }[] };
    expect(timeline.map((e) => [e.type, e.seq === null])).toEqual([
      ['user.login', false],
      ['session.refreshed', true],
      ['session.refreshed', false],
      ['refresh_token.grace_retry', false],
      ['session.revoked', false],
    ]);
    const readBack = timeline[1]!;
    expect(readBack).toMatchObject({
      hash: null,
      at: quietAt,
      data: { from: refreshChain[0]!.id, to: refreshChain[1]!.id, ip: '198.51.100.7', userAgent: PHONE.userAgent, accessToken: { jti: quiet.jti, kid: expect.any(String) } },
    });
    expect(timeline.map((e) => e.at)).toEqual([...timeline.map((e) => e.at)].sort((a, b) => a - b));
    expect(loud.sessionId).toBe(login.sessionId);
  });

  it('keeps the scope granted at login', async () => {
    const h = await makeHarness();
    const first = await h.engine.login({ username: 'ana', password: 'correct horse battery', clientId: 'mobile', device: PHONE, rememberMe: false, scope: 'openid orders:read' });
    const second = await refreshOf(h, first.refreshToken);
    expect(second.scope).toBe('openid orders:read');
  });

  it('idle lifetime boundary: a refresh 1 ms before idle expiry works, at the instant it fails', async () => {
    const h = await makeHarness();
    const a = await h.login();
    h.clock.advance(2 * HOUR - 1);
    const b = await refreshOf(h, a.refreshToken);
    h.clock.advance(2 * HOUR);
    await expectCode(() => refreshOf(h, b.refreshToken), 'session_expired');
  });

  it('absolute lifetime boundary: refreshing every hour still ends at 12 h', async () => {
    const h = await makeHarness();
    let tokens = await h.login();
    for (let hour = 1; hour < 12; hour += 1) {
      h.clock.advance(HOUR);
      tokens = await refreshOf(h, tokens.refreshToken);
    }
    h.clock.advance(HOUR - 1);
    tokens = await refreshOf(h, tokens.refreshToken);
    h.clock.advance(1);
    await expectCode(() => refreshOf(h, tokens.refreshToken), 'session_expired');
  });

  it('remember-me idle boundary: 7 d', async () => {
    const h = await makeHarness();
    let tokens = await h.login(PHONE, true);
    h.clock.advance(7 * DAY - 1);
    tokens = await refreshOf(h, tokens.refreshToken);
    h.clock.advance(7 * DAY);
    await expectCode(() => refreshOf(h, tokens.refreshToken), 'session_expired');
  });

  it('remember-me absolute boundary: 30 d even when refreshed every 6 days', async () => {
    const h = await makeHarness();
    let tokens = await h.login(PHONE, true);
    for (let i = 0; i < 4; i += 1) {
      h.clock.advance(6 * DAY);
      tokens = await refreshOf(h, tokens.refreshToken);
    }
    h.clock.advance(6 * DAY - 1);
    tokens = await refreshOf(h, tokens.refreshToken);
    h.clock.advance(1);
    await expectCode(() => refreshOf(h, tokens.refreshToken), 'session_expired');
  });

  it('refuses a refresh token presented by another client, without revoking anything', async () => {
    const h = await makeHarness();
    const a = await h.login(PHONE);
    await expectCode(() => refreshOf(h, a.refreshToken, 'web', LAPTOP), 'invalid_refresh_token');
    await expect(refreshOf(h, a.refreshToken)).resolves.toHaveProperty('accessToken');
  });

  it('refuses a refresh for a blocked user', async () => {
    const h = await makeHarness();
    const a = await h.login();
    await h.store.updateUser(h.userId, { status: 'blocked' });
    await expectCode(() => refreshOf(h, a.refreshToken), 'user_blocked');
  });

  it('bump refresh version: refresh tokens die, access tokens live to exp', async () => {
    const h = await makeHarness();
    const a = await h.login();
    await h.engine.admin.bumpRefreshVersion({ userId: h.userId, reason: 'password changed' }, ADMIN);
    await expectCode(() => refreshOf(h, a.refreshToken), 'refresh_version_mismatch');
    expect((await h.engine.verifyAccessToken(a.accessToken)).active).toBe(true);
    h.clock.advance(10 * MINUTE + 5 * SECOND);
    expect(await h.engine.verifyAccessToken(a.accessToken)).toMatchObject({ active: false, reason: 'expired' });
    await expect(h.login()).resolves.toHaveProperty('refreshToken');
  });
});

describe('reuse detection', () => {
  it('reuse after rotation revokes the whole family: the successor dies and every access token of the session is revoked', async () => {
    const h = await makeHarness();
    const a = await h.login();
    h.clock.advance(MINUTE);
    const b = await refreshOf(h, a.refreshToken);
    h.clock.advance(MINUTE);
    await expectCode(() => refreshOf(h, a.refreshToken, 'mobile', { name: 'attacker', userAgent: 'curl/8', ip: '127.0.0.66' }), 'refresh_token_reused');
    await expectCode(() => refreshOf(h, b.refreshToken), 'session_revoked');
    expect(await h.engine.verifyAccessToken(a.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
    expect(await h.engine.verifyAccessToken(b.accessToken)).toMatchObject({ active: false, reason: 'session_revoked' });
    const events = await h.engine.admin.listAudit({ type: 'refresh_token.reused' }, ADMIN) as { items: { data: Record<string, Record<string, unknown>> }[] };
    expect(events.items).toHaveLength(1);
    const data = events.items[0]!.data;
    expect(data.presented).toMatchObject({ ip: '127.0.0.66', deviceName: 'attacker', userAgent: 'curl/8' });
    expect(data.presented?.usedAt).toBeTypeOf('number');
    expect(data.successor).toMatchObject({ usedAt: null });
    expect(data.session).toMatchObject({ deviceName: "Ana's phone", ip: '127.0.0.2' });
    expect(((await h.engine.admin.getStats({}, ADMIN)) as { reuseAlerts: number }).reuseAlerts).toBe(1);
  });

  it('two refreshes racing with the same token: exactly one wins, the loser gets reuse and the family is revoked', async () => {
    const h = await makeHarness();
    const a = await h.login();
    const results = await Promise.allSettled([refreshOf(h, a.refreshToken), refreshOf(h, a.refreshToken)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason.code).toBe('refresh_token_reused');
    expect((await h.store.getSession(a.sessionId))!.revokedAt).not.toBeNull();
  });

  it('grace window: one retry of a lost response within the window is allowed and rotates the unseen successor', async () => {
    const h = await makeHarness();
    await h.settings({ reuseGraceSeconds: 10 });
    const a = await h.login();
    const lost = await refreshOf(h, a.refreshToken);
    h.clock.advance(9 * SECOND);
    const retry = await refreshOf(h, a.refreshToken);
    expect(retry.sessionId).toBe(a.sessionId);
    await expectCode(() => refreshOf(h, lost.refreshToken), 'refresh_token_reused');
    expect((await h.store.getSession(a.sessionId))!.revokedAt).not.toBeNull();
  });

  it('grace window: a second retry is theft', async () => {
    const h = await makeHarness();
    await h.settings({ reuseGraceSeconds: 10 });
    const a = await h.login();
    await refreshOf(h, a.refreshToken);
    await refreshOf(h, a.refreshToken);
    await expectCode(() => refreshOf(h, a.refreshToken), 'refresh_token_reused');
  });

  it('grace window: a retry after the successor was used is theft', async () => {
    const h = await makeHarness();
    await h.settings({ reuseGraceSeconds: 10 });
    const a = await h.login();
    const b = await refreshOf(h, a.refreshToken);
    await refreshOf(h, b.refreshToken);
    await expectCode(() => refreshOf(h, a.refreshToken), 'refresh_token_reused');
  });

  it('grace window: a retry one millisecond after the window is theft', async () => {
    const h = await makeHarness();
    await h.settings({ reuseGraceSeconds: 10 });
    const a = await h.login();
    await refreshOf(h, a.refreshToken);
    h.clock.advance(10 * SECOND + 1);
    await expectCode(() => refreshOf(h, a.refreshToken), 'refresh_token_reused');
  });

  it('garbage refresh tokens are refused without touching the store', async () => {
    const h = await makeHarness();
    const before = (await h.store.lastAudit())?.seq;
    for (const junk of ['', 'x', 'a'.repeat(43) + '!', 'a'.repeat(10_000), '../../etc/passwd', 'a'.repeat(43)]) {
      await expectCode(() => refreshOf(h, junk), 'invalid_refresh_token');
    }
    expect((await h.store.lastAudit())?.seq).toBe(before);
  });
});
