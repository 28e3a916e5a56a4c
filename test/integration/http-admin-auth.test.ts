/**
 * Named admins over real HTTP: sign-in with the cookie session, CSRF, roles (403 + audit), a second tab,
 * the one-time link, sign-out, API keys, and the sign-in throttle under 200 concurrent wrong passwords.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { passwordEvaluations } from '../../src/main/engine/passwords';
import { sha256Hex } from '../../src/main/engine/crypto';
import { base32Decode, totp } from '../../src/main/engine/totp';
import type { AdminMe } from '../../src/shared/admin-accounts';
import { startTestWarden, type TestWarden } from '../helpers/warden';

const PW = 'admin password 1';

interface Answer {
  status: number;
  body: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  setCookie: string[];
  headers: Headers;
}

describe('named admins over HTTP', () => {
  let t: TestWarden;
  let clock: ManualClock;

  const call = async (method: 'GET' | 'POST', path: string, options: { cookie?: string; csrf?: string; bearer?: string; body?: unknown } = {}): Promise<Answer> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', origin: t.baseUrl };
    if (options.cookie) headers.cookie = options.cookie;
    if (options.csrf) headers['x-csrf-token'] = options.csrf;
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    const response = await fetch(`${t.baseUrl}${path}`, { method, headers, body: method === 'POST' ? JSON.stringify(options.body ?? {}) : undefined });
    return { status: response.status, body: (await response.json()) as Answer['body'], setCookie: response.headers.getSetCookie(), headers: response.headers };
  };
  /** Signs in; returns the cookie (name=value) and the CSRF token. */
  const signIn = async (username: string, password = PW) => {
    const answer = await call('POST', '/admin/login', { body: { username, password } });
    expect(answer.status).toBe(200);
    const me = answer.body.value as AdminMe;
    return { cookie: answer.setCookie[0]!.split(';')[0]!, csrf: me.csrfToken!, me };
  };

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    t = await startTestWarden({ clock });
    for (const [username, role] of [['vera', 'viewer'], ['otto', 'operator'], ['olga', 'owner']] as const) await t.admin('createAdmin', { username, password: PW, role });
  });
  afterAll(() => t?.close());

  it('signs in with an HttpOnly SameSite=Strict cookie and says who is signed in', async () => {
    const answer = await call('POST', '/admin/login', { body: { username: 'otto', password: PW } });
    expect(answer.status).toBe(200);
    expect(answer.setCookie).toHaveLength(1);
    expect(answer.setCookie[0]).toMatch(/^tw_admin=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=43200$/);
    expect(answer.body.value).toEqual({
      admin: { id: expect.any(String), username: 'otto', role: 'operator', totpEnabled: false },
      actor: 'admin:otto', role: 'operator', totpEnrollmentRequired: false, csrfToken: expect.any(String),
      idleExpiresAt: clock.now() + 30 * 60_000, absoluteExpiresAt: clock.now() + 12 * 3600_000,
    });
    const cookie = answer.setCookie[0]!.split(';')[0]!;
    const me = await call('GET', '/admin/me', { cookie });
    expect(me.body.value).toMatchObject({ actor: 'admin:otto', csrfToken: (answer.body.value as AdminMe).csrfToken });
    // With a bearer secret there is no session: no CSRF token, no expiries.
    expect((await call('GET', '/admin/me', { bearer: t.adminToken })).body.value).toEqual({
      admin: null, actor: 'admin:bootstrap', role: 'owner', totpEnrollmentRequired: false, csrfToken: null, idleExpiresAt: null, absoluteExpiresAt: null,
    });
    expect((await call('GET', '/admin/me')).status).toBe(401);
  });

  it('refuses a wrong password with 401 and no cookie', async () => {
    const answer = await call('POST', '/admin/login', { body: { username: 'otto', password: 'not the password' } });
    expect(answer).toMatchObject({ status: 401, body: { ok: false, error: { code: 'invalid_credentials' } }, setCookie: [] });
    expect((await call('POST', '/admin/login', { body: { username: 'nobody', password: PW } })).status).toBe(401);
  });

  it('refuses a POST with the cookie but without the session\'s X-CSRF-Token (403), and accepts it with', async () => {
    const { cookie, csrf } = await signIn('olga');
    const row = async () => (await t.warden.engine.store.admins.getSessionByTokenHash(sha256Hex(cookie.slice('tw_admin='.length))))!;
    const seen = (await row()).lastSeenAt;
    clock.advance(60_000);
    const noCsrf = await call('POST', '/admin/rpc/listAdmins', { cookie });
    expect(noCsrf).toMatchObject({ status: 403, body: { ok: false, error: { code: 'forbidden' } } });
    // Refused before the session was looked at: a forged request does not keep it alive.
    expect((await row()).lastSeenAt).toBe(seen);
    const other = await signIn('olga');
    // Another session's token is no good either: it is tied to the session.
    expect((await call('POST', '/admin/rpc/listAdmins', { cookie, csrf: other.csrf })).status).toBe(403);
    expect((await call('POST', '/admin/logout', { cookie })).status).toBe(403);
    const ok = await call('POST', '/admin/rpc/listAdmins', { cookie, csrf });
    expect(ok.status).toBe(200);
    expect((ok.body.value as { username: string }[]).map((a) => a.username)).toEqual(['vera', 'otto', 'olga']);
  });

  it('answers a viewer 403 forbidden on a destructive method, audited as admin:<username>; reads work', async () => {
    const { cookie, csrf } = await signIn('vera');
    const user = await t.createUser();
    const before = await t.admin('getUser', { userId: user.id });
    const refused = await call('POST', '/admin/rpc/blockUser', { cookie, csrf, body: { userId: user.id, reason: 'viewer tries' } });
    expect(refused).toMatchObject({ status: 403, body: { ok: false, error: { code: 'forbidden' } } });
    expect(await t.admin('getUser', { userId: user.id })).toEqual(before);
    const audit = await t.admin('listAudit', { type: 'admin.forbidden', limit: 1 });
    expect(audit.items[0]).toMatchObject({ actor: 'admin:vera', data: { method: 'blockUser', role: 'viewer', needed: 'operator' } });
    expect((await call('POST', '/admin/rpc/getUser', { cookie, csrf, body: { userId: user.id } })).status).toBe(200);
  });

  it('audits an operator\'s action as admin:<username>, from a second tab that needed no new link', async () => {
    const first = await signIn('otto');
    const user = await t.createUser();
    // The second tab of the same browser: the same cookie jar, and its CSRF token from /admin/me.
    const secondTab = await call('GET', '/admin/me', { cookie: first.cookie });
    expect(secondTab.body.value).toMatchObject({ actor: 'admin:otto' });
    const csrf = (secondTab.body.value as AdminMe).csrfToken!;
    const blocked = await call('POST', '/admin/rpc/blockUser', { cookie: first.cookie, csrf, body: { userId: user.id, reason: 'incident 42' } });
    expect(blocked.status).toBe(200);
    expect(blocked.body.value).toMatchObject({ actor: 'admin:otto' });
    const audit = await t.admin('listAudit', { type: 'user.blocked', limit: 1 });
    expect(audit.items[0]).toMatchObject({ actor: 'admin:otto', userId: user.id });
  });

  it('the one-time link opens the same kind of cookie session, as admin:bootstrap, and events accept the cookie', async () => {
    const code = t.warden.service.createLoginCode();
    const answer = await call('POST', '/admin/session', { body: { code } });
    expect(answer.status).toBe(200);
    expect(answer.body.value).toMatchObject({ admin: null, actor: 'admin:bootstrap', role: 'owner', csrfToken: expect.any(String) });
    const cookie = answer.setCookie[0]!.split(';')[0]!;
    expect((await call('GET', '/admin/info', { cookie })).status).toBe(200);
    const controller = new AbortController();
    const events = await fetch(`${t.baseUrl}/admin/events`, { headers: { cookie }, signal: controller.signal });
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
    expect((await call('POST', '/admin/session', { body: { code } })).status).toBe(401);
  });

  it('sign out ends this session and clears the cookie; sign out everywhere ends the admin\'s others', async () => {
    const a = await signIn('olga');
    const b = await signIn('olga');
    const c = await signIn('olga');
    const out = await call('POST', '/admin/logout', { cookie: a.cookie, csrf: a.csrf });
    expect(out.status).toBe(200);
    expect(out.setCookie[0]).toMatch(/^tw_admin=; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=0$/);
    expect((await call('GET', '/admin/me', { cookie: a.cookie })).status).toBe(401);
    expect((await call('GET', '/admin/me', { cookie: b.cookie })).status).toBe(200);
    const all = await call('POST', '/admin/logout-all', { cookie: b.cookie, csrf: b.csrf });
    expect(all.body.value).toMatchObject({ ended: expect.any(Number) });
    for (const session of [b, c]) expect((await call('GET', '/admin/me', { cookie: session.cookie })).status).toBe(401);
    expect((await call('GET', '/admin/me', { cookie: (await signIn('otto')).cookie })).status).toBe(200);
  });

  it('an API key acts as its admin with Bearer, records its last use, and answers 401 once revoked', async () => {
    const [otto] = (await t.admin('listAdmins', {})).filter((a) => a.username === 'otto');
    const { keyId, key } = await t.admin('createAdminKey', { adminId: otto!.id, name: 'ci' });
    const user = await t.createUser();
    const used = await call('POST', '/admin/rpc/forceLogout', { bearer: key, body: { userId: user.id } });
    expect(used.status).toBe(200);
    expect(used.body.value).toMatchObject({ actor: 'admin:otto' });
    expect((await call('POST', '/admin/rpc/createAdmin', { bearer: key, body: { username: 'eve', password: PW, role: 'owner' } })).status).toBe(403);
    const listed = await t.admin('listAdminKeys', { adminId: otto!.id });
    expect(listed.find((k) => k.keyId === keyId)).toMatchObject({ lastUsedAt: clock.now(), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key.slice(4));
    await t.admin('revokeAdminKey', { keyId });
    const revoked = await call('POST', '/admin/rpc/getStats', { bearer: key });
    expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('ends an open event stream once its session or key has ended (disabled admin, revoked key)', async () => {
    const { id } = await t.admin('createAdmin', { username: 'sam', password: PW, role: 'viewer' });
    const { cookie } = await signIn('sam');
    const { keyId, key } = await t.admin('createAdminKey', { adminId: id, name: 'watcher' });
    const ended = async (response: Response) => {
      const reader = response.body!.getReader();
      for (;;) if ((await reader.read()).done) return true;
    };
    const byCookie = await fetch(`${t.baseUrl}/admin/events`, { headers: { cookie } });
    const byKey = await fetch(`${t.baseUrl}/admin/events`, { headers: { authorization: `Bearer ${key}` } });
    expect([byCookie.status, byKey.status]).toEqual([200, 200]);
    const cookieEnded = ended(byCookie);
    // Other admins' activity flows to both meanwhile; revoking the key ends only the key's stream.
    await t.admin('revokeAdminKey', { keyId });
    expect(await ended(byKey)).toBe(true);
    await t.admin('updateAdmin', { adminId: id, disabled: true });
    expect(await cookieEnded).toBe(true);
  });

  it('with TOTP enrolled, a sign-in without the code is 401 totp_required and sets no cookie; with it, a session', async () => {
    await t.admin('createAdmin', { username: 'tess', password: PW, role: 'viewer' });
    const { cookie, csrf } = await signIn('tess');
    const begun = await call('POST', '/admin/rpc/beginAdminTotp', { cookie, csrf });
    const { secret, otpauthUri } = begun.body.value as { secret: string; otpauthUri: string };
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Token%20Warden%20\(127\.0\.0\.1%3A\d+\):tess\?secret=[A-Z2-7]{32}&/);
    const code = () => totp(base32Decode(secret), clock.now());
    expect((await call('POST', '/admin/rpc/confirmAdminTotp', { cookie, csrf, body: { code: code() } })).status).toBe(200);
    const withoutCode = await call('POST', '/admin/login', { body: { username: 'tess', password: PW } });
    expect(withoutCode).toMatchObject({ status: 401, body: { ok: false, error: { code: 'totp_required' } }, setCookie: [] });
    clock.advance(30_000);
    const withCode = await call('POST', '/admin/login', { body: { username: 'tess', password: PW, totp: code() } });
    expect(withCode.status).toBe(200);
    expect(withCode.setCookie[0]).toMatch(/^tw_admin=/);
    expect(withCode.body.value).toMatchObject({ admin: { username: 'tess', totpEnabled: true } });
  });

  it('while owners require TOTP, an admin without it reaches only /admin/me, enrollment and sign-out', async () => {
    await t.admin('createAdmin', { username: 'nina', password: PW, role: 'owner' });
    await t.admin('updateSettings', { adminTotpRequired: true });
    try {
      const { cookie, csrf, me } = await signIn('nina');
      expect(me).toMatchObject({ actor: 'admin:nina', totpEnrollmentRequired: true });
      expect((await call('POST', '/admin/rpc/listUsers', { cookie, csrf })).status).toBe(403);
      expect((await call('GET', '/admin/events', { cookie })).status).toBe(403);
      expect((await call('GET', '/admin/info', { cookie })).status).toBe(403);
      expect((await call('POST', '/admin/rpc/beginAdminTotp', { cookie, csrf })).status).toBe(200);
      expect((await call('POST', '/admin/logout', { cookie, csrf })).status).toBe(200);
    } finally {
      await t.admin('updateSettings', { adminTotpRequired: false });
    }
  });

  it('evaluates at most maxFailedLogins of 200 concurrent wrong passwords for one admin', async () => {
    await t.admin('createAdmin', { username: 'target', password: PW, role: 'owner' });
    const { maxFailedLogins } = await t.admin('getSettings', {});
    const before = passwordEvaluations();
    const answers = await Promise.all(Array.from({ length: 200 }, () => call('POST', '/admin/login', { body: { username: 'target', password: 'wrong password' } })));
    expect(passwordEvaluations() - before).toBeLessThanOrEqual(maxFailedLogins);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(maxFailedLogins);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled).toHaveLength(200 - maxFailedLogins);
    expect(throttled[0]!.body.error?.code).toBe('login_throttled');
    expect(Number(throttled[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answers.every((a) => a.setCookie.length === 0)).toBe(true);
  });
});
