/**
 * The browser-session contract other parts build on (src/main/engine/browser-sessions.ts): a cookie finds
 * only a live one; ending one revokes exactly the app sessions signed in under it (each on the feed) and is
 * idempotent; revoking one app's session leaves the browser session and the other apps alone; a code is never
 * issued under an ended one; the cookie itself is never stored.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { browserSessionFromCookie, endBrowserSession } from '../../src/main/engine/browser-sessions';
import { authorizeUrl, CookieJar, formFields, getPage, pkce, postSignIn, redirectParams, registerApp } from '../helpers/front-channel';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('browser sessions', () => {
  let t: TestWarden;
  let apps: { clientId: string; redirectUri: string }[];
  const clock = new ManualClock(Date.now());
  const device = { name: 'test', userAgent: 'test', ip: '127.0.0.1' };

  beforeAll(async () => {
    t = await startTestWarden({ clock });
    apps = [await registerApp(t, 'Notes'), await registerApp(t, 'Calendar')];
  });
  afterAll(() => t?.close());

  /** Signs `user` in on the page in a fresh browser, then each app through that browser session; returns the session ids. */
  async function browserWithApps(user: TestUser) {
    const jar = new CookieJar();
    const sessionIds: string[] = [];
    for (const [i, app] of apps.entries()) {
      const { challenge, verifier } = pkce();
      const params = { client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' };
      let response = await getPage(authorizeUrl(t, params), jar);
      if (i === 0) response = await postSignIn(t, { ...formFields(await response.text()), username: user.username, password: user.password }, jar);
      const code = redirectParams(response, app.redirectUri).get('code')!;
      const tokens = await t.warden.engine.exchangeCode({ code, redirectUri: app.redirectUri, codeVerifier: verifier, clientId: app.clientId, device });
      sessionIds.push(tokens.sessionId);
    }
    const cookie = jar.cookies.get('tw_session')!;
    const row = (await t.warden.engine.frontChannel.browserSession(cookie))!;
    return { jar, cookie, row, sessionIds };
  }

  it('a cookie finds only a live browser session; the store keeps its hash, never the cookie', async () => {
    const ctx = t.warden.engine.ctx;
    const user = await t.createUser();
    const { cookie, row } = await browserWithApps(user);
    expect(row).toMatchObject({ userId: user.id, revokedAt: null });
    expect(row.cookieHash).toBe(createHash('sha256').update(cookie).digest('hex'));
    expect(JSON.stringify(await t.warden.engine.store.browserSessions.get(row.id))).not.toContain(cookie);
    for (const junk of [undefined, null, 42, '', 'x'.repeat(43), `${cookie}x`, cookie.slice(1), { cookie }]) {
      expect(await browserSessionFromCookie(ctx, junk)).toBeUndefined();
    }
    clock.advance(row.expiresAt - clock.now());
    expect(await browserSessionFromCookie(ctx, cookie)).toBeUndefined();
  });

  it('ending one revokes exactly its app sessions, each on the feed, and nothing twice', async () => {
    const ctx = t.warden.engine.ctx;
    const user = await t.createUser();
    const first = await browserWithApps(user);
    const second = await browserWithApps(user);
    const passwordApp = await t.createPublicClient();
    const grant = await t.login(user, passwordApp);
    const lastFeedId = await t.warden.engine.store.lastRevocationId();
    const killed = await ctx.run((tx) => endBrowserSession(ctx, tx, first.row.id, 'admin', 'signed out', 'logout'));
    expect(killed.sessionIds.sort()).toEqual([...first.sessionIds].sort());
    expect((await t.warden.engine.store.listRevocationsAfter(lastFeedId, 10)).map((r) => `${r.kind}:${r.subject}`).sort()).toEqual(first.sessionIds.map((id) => `session:${id}`).sort());
    const sessions = await t.admin('listSessions', { userId: user.id });
    const status = new Map(sessions.items.map((s) => [s.id, s.status]));
    for (const id of first.sessionIds) expect(status.get(id)).toBe('revoked');
    for (const id of second.sessionIds) expect(status.get(id)).toBe('active');
    expect(await t.warden.engine.introspect(grant.access_token)).toMatchObject({ active: true });
    expect(await t.warden.engine.frontChannel.browserSession(first.cookie)).toBeUndefined();
    expect((await t.warden.engine.frontChannel.browserSession(second.cookie))?.id).toBe(second.row.id);
    expect(await ctx.run((tx) => endBrowserSession(ctx, tx, first.row.id, 'admin', null, 'logout'))).toEqual({ sessionIds: [], accessTokens: 0, refreshTokens: 0, feedEventId: null });
    // No code under an ended browser session, even if its row was read before it ended.
    const { challenge } = pkce();
    await expect(() => t.warden.engine.frontChannel.issueCode({ clientId: apps[0]!.clientId, browserSessionId: first.row.id, redirectUri: apps[0]!.redirectUri, codeChallenge: challenge, scope: '', nonce: null })).rejects
      .toThrow(expect.objectContaining({ code: 'unauthorized' }));
  });

  it('revoking one app\'s session leaves the browser session and the other app signed in', async () => {
    const user = await t.createUser();
    const { jar, row, sessionIds } = await browserWithApps(user);
    await t.admin('revokeSession', { sessionId: sessionIds[0]! });
    expect((await t.warden.engine.store.browserSessions.get(row.id))?.revokedAt).toBeNull();
    const status = new Map((await t.admin('listSessions', { userId: user.id })).items.map((s) => [s.id, s.status]));
    expect(status.get(sessionIds[1]!)).toBe('active');
    // The app whose session was revoked signs in again without the password.
    const { challenge } = pkce();
    const again = await getPage(authorizeUrl(t, { client_id: apps[0]!.clientId, redirect_uri: apps[0]!.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' }), jar);
    expect(redirectParams(again, apps[0]!.redirectUri).get('code')).toBeTruthy();
  });
});
