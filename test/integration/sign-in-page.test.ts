/**
 * The hosted sign-in page on the wire (plain fetch, manual redirects, a cookie jar): framing and CSP headers,
 * the form, CSRF (a missing or wrong token is refused and changes nothing), the browser session cookie and
 * what it does for a second app, prompt=login and max_age, force logout ending it, blocked users.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { authorizeUrl, CookieJar, formFields, getPage, pkce, postSignIn, redirectParams, registerApp } from '../helpers/front-channel';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('hosted sign-in page', () => {
  let t: TestWarden;
  let app: { clientId: string; redirectUri: string };
  let user: TestUser;
  const clock = new ManualClock(Date.now());
  const { challenge, verifier } = pkce();
  const request = (extra: Record<string, string> = {}) => ({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 'st-9', nonce: 'n-9', ...extra });

  beforeAll(async () => {
    t = await startTestWarden({ clock });
    app = await registerApp(t, 'Notes <b>&</b> "Co"');
    user = await t.createUser();
  });
  afterAll(() => t?.close());

  /** GET the page into `jar`; returns its form fields. */
  async function openPage(jar: CookieJar, extra: Record<string, string> = {}) {
    const response = await getPage(authorizeUrl(t, request(extra)), jar);
    expect(response.status).toBe(200);
    const html = await response.text();
    return { response, html, fields: formFields(html) };
  }
  async function fieldsOf(jar: CookieJar, extra: Record<string, string> = {}) {
    const response = await getPage(authorizeUrl(t, request(extra)), jar);
    expect(response.status).toBe(200);
    return formFields(await response.text());
  }

  it('cannot be framed, loads nothing, is not cached, and shows the app by name (escaped)', async () => {
    const { response, html } = await openPage(new CookieJar());
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain(`form-action 'self' http://127.0.0.1:9`);
    expect(csp).not.toMatch(/unsafe-inline|script-src/);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(html).not.toContain('<script');
    expect(html).toContain('Notes &#60;b&#62;&#38;&#60;/b&#62; &#34;Co&#34;');
    expect(html).not.toContain('<b>&</b>');
    expect(html).toMatch(/<input type="text" id="username" name="username"[^>]*autofocus/);
    expect(html).toMatch(/<label for="password">Password<\/label><input type="password" id="password" name="password"/);
    expect(html).toMatch(/<input type="checkbox" id="remember_me" name="remember_me" value="true"> Keep me signed in<\/label>/);
    expect(html.match(/<button/g)).toHaveLength(1);
    expect(html).toContain('prefers-color-scheme:dark');
  });

  it('request parameters are never markup: state, nonce and login_hint with HTML come back byte for byte', async () => {
    const hostile = '"><script>alert(1)</script><input name="x" value=\'';
    const jar = new CookieJar();
    const response = await getPage(authorizeUrl(t, request({ state: hostile, nonce: hostile, login_hint: hostile })), jar);
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('name="x"');
    const fields = formFields(html);
    expect(fields).toMatchObject({ state: hostile, nonce: hostile, username: hostile });
    const signedIn = await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar);
    expect(redirectParams(signedIn, app.redirectUri).get('state')).toBe(hostile);
  });

  it('login_hint prefills the username and puts focus on the password', async () => {
    const { html } = await openPage(new CookieJar(), { login_hint: 'ana@example.com' });
    expect(html).toContain('name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256" value="ana@example.com"');
    expect(html).toMatch(/name="password"[^>]*autofocus/);
  });

  it('CSRF: a post without the token, with a wrong one, or without its cookie signs nobody in and changes nothing', async () => {
    const jar = new CookieJar();
    const fields = await fieldsOf(jar);
    expect(fields.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const otherJar = new CookieJar();
    const otherFields = await fieldsOf(otherJar);
    const credentials = { username: user.username, password: user.password };
    const { csrf_token: _, ...withoutToken } = fields;
    const attempts: Array<[string, Record<string, string>, CookieJar | undefined, Record<string, string>]> = [
      ['no token', { ...withoutToken, ...credentials }, jar, {}],
      ['a wrong token', { ...fields, csrf_token: 'A'.repeat(43), ...credentials }, jar, {}],
      ["another browser's token", { ...fields, csrf_token: otherFields.csrf_token!, ...credentials }, jar, {}],
      ['no cookie', { ...fields, ...credentials }, undefined, {}],
      ['another origin', { ...fields, ...credentials }, jar, { origin: 'https://evil.example' }],
      ['a cross-site fetch', { ...fields, ...credentials }, jar, { 'sec-fetch-site': 'cross-site' }],
    ];
    for (const [what, body, cookies, headers] of attempts) {
      const before = await t.snapshot();
      const response = await postSignIn(t, body, cookies, headers);
      expect(response.status, what).toBe(403);
      expect(response.headers.get('location'), what).toBeNull();
      expect(response.headers.getSetCookie().some((line) => line.startsWith('tw_session=')), what).toBe(false);
      expect(await response.text(), what).toContain('role="alert"');
      expect(await t.snapshot(), what).toEqual(before);
    }
    // The same post with its own token and cookie goes through.
    const response = await postSignIn(t, { ...fields, ...credentials }, jar);
    expect(response.status).toBe(303);
  });

  it('signs in: back to the app with code, state and iss; the browser session cookie is HttpOnly, Lax, Path=/', async () => {
    const jar = new CookieJar();
    const fields = await fieldsOf(jar);
    const started = (await t.snapshot()).lastAuditSeq as number;
    const response = await postSignIn(t, { ...fields, username: user.username, password: user.password }, jar);
    expect(response.status).toBe(303);
    const query = redirectParams(response, app.redirectUri);
    expect(query.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toBe('st-9');
    expect(query.get('iss')).toBe(t.baseUrl);
    const cookie = jar.received.find((line) => line.startsWith('tw_session='))!;
    expect(cookie).toMatch(/^tw_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    // Unticked "Keep me signed in": the cookie ends with the browser (no Max-Age), no Secure on plain http.
    const events = await t.admin('listAudit', { type: 'browser_session.started', limit: 10 });
    expect(events.items.some((entry) => entry.seq > started && entry.userId === user.id)).toBe(true);
    // The code redeems into a session under that browser session (the token endpoint's rules are tested with it).
    const tokens = await t.warden.engine.exchangeCode({ code: query.get('code')!, redirectUri: app.redirectUri, codeVerifier: verifier, clientId: app.clientId, device: { name: 'test', userAgent: '', ip: '127.0.0.1' } });
    const browserSession = await t.warden.engine.store.browserSessions.getByCookieHash(createHash('sha256').update(jar.cookies.get('tw_session')!).digest('hex'));
    expect(browserSession).toMatchObject({ userId: user.id, rememberMe: false, revokedAt: null });
    const sessions = await t.admin('listSessions', { userId: user.id });
    expect(sessions.items.find((session) => session.id === tokens.sessionId)?.browserSessionId).toBe(browserSession!.id);
  });

  it('a second app signs in through the browser session without the password; "Keep me signed in" sets Max-Age', async () => {
    const second = await registerApp(t, 'Calendar');
    const jar = new CookieJar();
    const fields = await fieldsOf(jar);
    const response = await postSignIn(t, { ...fields, username: user.username, password: user.password, remember_me: 'true' }, jar);
    expect(response.status).toBe(303);
    const settings = await t.admin('getSettings', {});
    expect(jar.received.find((line) => line.startsWith('tw_session='))).toContain(`Max-Age=${settings.rememberMeAbsoluteSeconds}`);
    const direct = await getPage(authorizeUrl(t, { ...request(), client_id: second.clientId, redirect_uri: second.redirectUri, state: 'second' }), jar);
    expect(direct.status).toBe(302);
    const query = redirectParams(direct, second.redirectUri);
    expect(query.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get('state')).toBe('second');
    expect(query.get('iss')).toBe(t.baseUrl);
    // prompt=none with a session answers with a code too.
    const silent = await getPage(authorizeUrl(t, { ...request(), prompt: 'none' }), jar);
    expect(redirectParams(silent, app.redirectUri).get('code')).toBeTruthy();
  });

  it('prompt=login and an auth_time older than max_age ask for the password again, in the same browser session', async () => {
    const jar = new CookieJar();
    await postSignIn(t, { ...(await fieldsOf(jar)), username: user.username, password: user.password }, jar);
    const cookie = jar.cookies.get('tw_session');
    expect((await getPage(authorizeUrl(t, request({ prompt: 'login' })), jar)).status).toBe(200);
    expect((await getPage(authorizeUrl(t, request({ prompt: 'consent login' })), jar)).status).toBe(200);
    expect((await getPage(authorizeUrl(t, request({ prompt: 'select_account' })), jar)).status).toBe(200);
    expect((await getPage(authorizeUrl(t, request({ prompt: 'consent' })), jar)).status).toBe(302);
    expect((await getPage(authorizeUrl(t, request({ max_age: '60' })), jar)).status).toBe(302);
    clock.advance(61_000);
    const page = await getPage(authorizeUrl(t, request({ max_age: '60' })), jar);
    expect(page.status).toBe(200);
    // prompt=none cannot ask: login_required.
    expect(redirectParams(await getPage(authorizeUrl(t, request({ max_age: '60', prompt: 'none' })), jar), app.redirectUri).get('error')).toBe('login_required');
    const again = await postSignIn(t, { ...formFields(await page.text()), username: user.username, password: user.password }, jar);
    expect(again.status).toBe(303);
    // Re-authenticated, not replaced: the browser keeps its cookie, and max_age is satisfied again.
    expect(jar.cookies.get('tw_session')).toBe(cookie);
    expect((await getPage(authorizeUrl(t, request({ max_age: '60' })), jar)).status).toBe(302);
  });

  it('a wrong password re-shows the form with an alert the fields point at, and sets no cookie', async () => {
    const jar = new CookieJar();
    const response = await postSignIn(t, { ...(await fieldsOf(jar)), username: user.username, password: 'wrong password!' }, jar);
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('<div class="alert" role="alert" id="form-error" data-testid="sign-in-error">The username or password is wrong.</div>');
    expect(html).toMatch(/name="password"[^>]*autofocus aria-invalid="true" aria-describedby="form-error"/);
    expect(jar.cookies.has('tw_session')).toBe(false);
  });

  it('force logout ends the browser session: the next visit asks for the password again', async () => {
    const other = await t.createUser();
    const jar = new CookieJar();
    await postSignIn(t, { ...(await fieldsOf(jar)), username: other.username, password: other.password }, jar);
    expect((await getPage(authorizeUrl(t, request()), jar)).status).toBe(302);
    await t.admin('forceLogout', { userId: other.id });
    expect((await getPage(authorizeUrl(t, request()), jar)).status).toBe(200);
    expect(redirectParams(await getPage(authorizeUrl(t, request({ prompt: 'none' })), jar), app.redirectUri).get('error')).toBe('login_required');
    const ended = await t.admin('listAudit', { type: 'browser_session.ended', userId: other.id, limit: 5 });
    expect(ended.items).toHaveLength(1);
  });

  it('a blocked user is told so only after the right password; the browser session dies with the block', async () => {
    const blocked = await t.createUser();
    const jar = new CookieJar();
    await postSignIn(t, { ...(await fieldsOf(jar)), username: blocked.username, password: blocked.password }, jar);
    await t.admin('blockUser', { userId: blocked.id, reason: 'test' });
    expect((await getPage(authorizeUrl(t, request()), jar)).status).toBe(200);
    const wrong = await postSignIn(t, { ...(await fieldsOf(jar)), username: blocked.username, password: 'not the password' }, jar);
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('The username or password is wrong.');
    const right = await postSignIn(t, { ...(await fieldsOf(jar)), username: blocked.username, password: blocked.password }, jar);
    expect(right.status).toBe(403);
    expect(await right.text()).toContain('This account is blocked.');
    expect(right.headers.get('location')).toBeNull();
  });
});

describe('hosted sign-in page behind an https issuer', () => {
  let t: TestWarden;
  afterAll(() => t?.close());

  it('marks both cookies Secure, and redirects with that issuer as iss', async () => {
    t = await startTestWarden({ issuer: 'https://auth.example.test' });
    // The admin API is reached where the service listens too: set up through the engine.
    const admin = t.warden.engine.admin;
    const app = { clientId: 'secure-web', redirectUri: 'https://app.example.test/callback' };
    await admin.createClient({ clientId: app.clientId, kind: 'public', name: 'Secure web', redirectUris: [app.redirectUri], grantTypes: ['authorization_code'] }, { actor: 'admin', role: 'owner', adminId: null });
    const user = { username: 'secure-user', password: 'correct horse battery' };
    await admin.createUser(user, { actor: 'admin', role: 'owner', adminId: null });
    const { challenge } = pkce();
    const jar = new CookieJar();
    // Requests go to where the service listens; the issuer names the proxy in front of it.
    const page = await getPage(`${t.warden.url}/oauth/authorize?${new URLSearchParams({ client_id: app.clientId, redirect_uri: app.redirectUri, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' })}`, jar);
    expect(page.status).toBe(200);
    expect(jar.received.find((line) => line.startsWith('tw_csrf='))).toMatch(/; Path=\/oauth\/authorize; HttpOnly; SameSite=Strict; Secure$/);
    const response = await fetch(`${t.warden.url}/oauth/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://auth.example.test', ...jar.header() },
      body: new URLSearchParams({ ...formFields(await page.text()), username: user.username, password: user.password }).toString(),
    });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().find((line) => line.startsWith('tw_session='))).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    expect(redirectParams(response, app.redirectUri).get('iss')).toBe('https://auth.example.test');
  });
});
