/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at GET/POST /oauth/logout, through the real
 * hosted page (signed in with openid-client and a cookie jar): a valid id_token_hint ends the provider's browser
 * session and every app session under it, and each app with a back-channel logout URI gets its logout token;
 * without a hint a signed-in browser must confirm (CSRF-protected). Attacks that must fail changing nothing:
 * an open redirect through post_logout_redirect_uri (unregistered, look-alike, without a client), a client_id
 * that is not the hint's, and hints that are not our ID tokens (a logout token replayed as one, an access
 * token, a tampered one).
 */
import type * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackchannelReceiver, type BackchannelReceiver } from '../helpers/backchannel-receiver';
import type { LiveEvent } from '../../src/shared/events';
import { nextEvent, startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { CookieJar, follow, readSignInForm, request, signInThroughHostedPage } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';
import { discover, finishSignIn, startSignIn } from '../interop-sign-in/openid-client-app';

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const SIGNED_OUT_URI = 'http://127.0.0.1:9/signed-out';
const isCallback = (url: string) => url.startsWith(REDIRECT_URI);

/** Lets the test move time forward (an expired hint) without touching anything else's clock. */
let offsetMs = 0;
const clock = { now: () => Date.now() + offsetMs };

let t: TestWarden;
const apps: { id: string; config: client.Configuration; receiver: BackchannelReceiver }[] = [];

async function registerApp(id: string): Promise<void> {
  const receiver = await startBackchannelReceiver({ issuer: t.baseUrl, clientId: id, alg: 'RS256' });
  const created = await t.admin('createClient', {
    clientId: id, kind: 'confidential', name: `App ${id}`, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [SIGNED_OUT_URI],
    backchannelLogoutUri: receiver.url,
  });
  apps.push({ id, config: await discover(t.baseUrl, id, created.clientSecret!), receiver });
}

async function signIn(jar: CookieJar, user: TestUser, app = apps[0]!) {
  const { url, pending } = await startSignIn(app.config, REDIRECT_URI);
  const { callbackUrl, askedForPassword } = await signInThroughHostedPage(jar, url.href, user, isCallback);
  const { tokens, claims } = await finishSignIn(app.config, new URL(callbackUrl), pending);
  return { idToken: tokens.id_token!, accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, sid: claims.sid as string, askedForPassword };
}

const logoutUrl = (params: Record<string, string>) => `${t.baseUrl}/oauth/logout?${new URLSearchParams(params)}`;
const activeSessions = async (user: TestUser) => (await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 50 })).total;
/** Whether the jar's browser session still signs in without a password (and so was not ended). */
async function stillSignedIn(jar: CookieJar): Promise<boolean> {
  const { url } = await startSignIn(apps[0]!.config, REDIRECT_URI);
  const hop = await follow(jar, url.href, isCallback);
  if (hop.status === 0) return true;
  // Not signed in: the hosted page asks for the password.
  expect(hop.body).toContain('name="password"');
  return false;
}

beforeAll(async () => {
  t = await startTestWarden({ clock });
  await registerApp('shop');
  await registerApp('blog');
  await idTokenKeysReady(t);
});

afterAll(async () => {
  await t?.close();
  for (const app of apps) await app.receiver.close();
});

describe('RP-initiated logout', () => {
  it('a valid id_token_hint ends the browser session and every app signed in under it, with back-channel logout for each', async () => {
    const user = await t.createUser();
    const jar = new CookieJar();
    const shop = await signIn(jar, user, apps[0]);
    const blog = await signIn(jar, user, apps[1]);
    expect([shop.askedForPassword, blog.askedForPassword]).toEqual([true, false]);
    const [shopLogout, blogLogout] = [apps[0]!.receiver.waitForArrivals(apps[0]!.receiver.arrivals.length + 1), apps[1]!.receiver.waitForArrivals(apps[1]!.receiver.arrivals.length + 1)];

    const out = await request(jar, logoutUrl({ id_token_hint: shop.idToken, post_logout_redirect_uri: SIGNED_OUT_URI, state: 'bye' }));
    expect(out.status).toBe(302);
    expect(out.location).toBe(`${SIGNED_OUT_URI}?state=bye`);
    expect(jar.get(t.baseUrl, 'tw_session')).toBeUndefined();
    expect(await activeSessions(user)).toBe(0);
    expect((await shopLogout).at(-1)!.claims).toMatchObject({ sid: shop.sid, aud: 'shop' });
    expect((await blogLogout).at(-1)!.claims).toMatchObject({ sid: blog.sid, aud: 'blog' });
    const refreshed = await t.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token: blog.refreshToken }, {
      authorization: `Basic ${Buffer.from('blog:x').toString('base64')}`,
    });
    expect(refreshed.status).not.toBe(200);
    // The next visit asks for the password again.
    expect(await stillSignedIn(jar)).toBe(false);
    const audit = await t.admin('listAudit', { type: 'browser_session.ended', userId: user.id });
    expect(audit.items).toHaveLength(1);
  });

  it('accepts an expired hint (§2), and without a redirect URI shows a signed-out page', async () => {
    const user = await t.createUser();
    const jar = new CookieJar();
    const shop = await signIn(jar, user);
    offsetMs += 3_600_000;
    try {
      const out = await request(jar, logoutUrl({ id_token_hint: shop.idToken }));
      expect(out.status).toBe(200);
      expect(out.body).toContain('data-testid="signed-out"');
      expect(await activeSessions(user)).toBe(0);
    } finally {
      offsetMs -= 3_600_000;
    }
  });

  describe('refused before anything ends: an error page, never a redirect', () => {
    let user: TestUser;
    let jar: CookieJar;
    let shop: Awaited<ReturnType<typeof signIn>>;
    beforeAll(async () => {
      user = await t.createUser();
      jar = new CookieJar();
      shop = await signIn(jar, user);
    });

    async function expectRefused(params: Record<string, string>, message: RegExp, method: 'GET' | 'POST' = 'GET'): Promise<void> {
      const before = await t.snapshot();
      const hop = method === 'GET' ? await request(jar, logoutUrl(params)) : await request(jar, `${t.baseUrl}/oauth/logout`, { method: 'POST', form: new URLSearchParams(params) });
      expect(hop.status).toBeGreaterThanOrEqual(400);
      expect(hop.location).toBeNull();
      expect(hop.body).toMatch(message);
      expect(await t.snapshot()).toEqual(before);
      expect(jar.get(t.baseUrl, 'tw_session')).toBeDefined();
      expect(await stillSignedIn(jar)).toBe(true);
    }

    it('an unregistered or look-alike post_logout_redirect_uri (open redirect)', async () => {
      for (const uri of ['https://evil.example/', `${SIGNED_OUT_URI}.evil.example`, `${SIGNED_OUT_URI}/`, `${SIGNED_OUT_URI}?next=https://evil.example`, 'http://127.0.0.1:10/signed-out', SIGNED_OUT_URI.toUpperCase()]) {
        await expectRefused({ id_token_hint: shop.idToken, post_logout_redirect_uri: uri }, /not registered/);
        await expectRefused({ client_id: 'shop', post_logout_redirect_uri: uri }, /not registered/);
      }
    });

    it('a post_logout_redirect_uri with no app to look it up under, or a client_id that is not the hint’s', async () => {
      await expectRefused({ post_logout_redirect_uri: SIGNED_OUT_URI }, /needs the client_id/);
      await expectRefused({ id_token_hint: shop.idToken, client_id: 'blog', post_logout_redirect_uri: SIGNED_OUT_URI }, /not the app/);
      await expectRefused({ client_id: 'nobody', post_logout_redirect_uri: SIGNED_OUT_URI }, /no registered app/);
    });

    it('hints that are not our ID tokens: a replayed logout token, an access token, a tampered or garbled one', async () => {
      // A logout token the app received: valid signature, our iss, but it must never pass for an ID token.
      const other = await t.createUser();
      const otherJar = new CookieJar();
      const victim = await signIn(otherJar, other);
      const receiver = apps[0]!.receiver;
      const arrived = receiver.waitForArrivals(receiver.arrivals.length + 1);
      const recorded = nextEvent<LiveEvent>((listener) => t.warden.engine.onEvent(listener), (event) => event.type === 'backchannel_logout.delivered' && event.sessionId === victim.sid);
      await t.admin('revokeSession', { sessionId: victim.sid });
      const logoutToken = (await arrived).at(-1)!.token!;
      await recorded;
      const [header, payload] = shop.idToken.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: other.id })).toString('base64url')}.${shop.idToken.split('.')[2]}`;
      for (const hint of [logoutToken, shop.accessToken, tampered, 'not-a-jwt', `${shop.idToken}x`]) {
        await expectRefused({ id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT_URI }, /not an ID token this service issued/);
      }
    });

    it('a repeated parameter', async () => {
      const before = await t.snapshot();
      const hop = await request(jar, `${t.baseUrl}/oauth/logout?client_id=shop&client_id=blog`);
      expect(hop.status).toBe(400);
      expect(hop.body).toMatch(/repeated/);
      expect(await t.snapshot()).toEqual(before);
    });

    it('is never framed', async () => {
      const response = await fetch(logoutUrl({ client_id: 'shop' }), { headers: { cookie: jar.header(t.baseUrl) }, redirect: 'manual' });
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    });
  });

  describe('without a hint, a signed-in browser confirms first', () => {
    it('shows a confirmation form; a post without its token (CSRF) changes nothing; the form itself signs out', async () => {
      const user = await t.createUser();
      const jar = new CookieJar();
      await signIn(jar, user);
      const before = await t.snapshot();
      const page = await request(jar, logoutUrl({ client_id: 'shop', post_logout_redirect_uri: SIGNED_OUT_URI, state: 's1' }));
      expect(page.status).toBe(200);
      expect(page.body).toContain('data-testid="logout-confirm"');
      expect(await t.snapshot()).toEqual(before);
      const form = readSignInForm(page);
      expect(form.fields.get('state')).toBe('s1');

      // Another site's auto-submitted form: no token, or a token made up, or one for another browser's cookie.
      const forged = new URLSearchParams(form.fields);
      forged.delete('csrf_token');
      for (const fields of [forged, new URLSearchParams({ ...Object.fromEntries(forged), csrf_token: 'x'.repeat(43) })]) {
        const refused = await request(jar, form.action, { method: 'POST', form: fields });
        expect(refused.status).toBe(403);
        expect(refused.location).toBeNull();
        expect(await t.snapshot()).toEqual(before);
      }
      const fromElsewhere = await fetch(form.action, {
        method: 'POST', redirect: 'manual', body: form.fields,
        headers: { cookie: jar.header(t.baseUrl), origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(fromElsewhere.status).toBe(403);
      expect(await t.snapshot()).toEqual(before);
      expect(await stillSignedIn(jar)).toBe(true);

      const done = await request(jar, form.action, { method: 'POST', form: form.fields });
      expect(done.status).toBe(303);
      expect(done.location).toBe(`${SIGNED_OUT_URI}?state=s1`);
      expect(await activeSessions(user)).toBe(0);
      expect(await stillSignedIn(jar)).toBe(false);
    });

    it('a browser that is not signed in goes straight back to the registered URI; nothing to end', async () => {
      const before = await t.snapshot();
      const hop = await request(new CookieJar(), logoutUrl({ client_id: 'shop', post_logout_redirect_uri: SIGNED_OUT_URI, state: 's2' }));
      expect(hop.status).toBe(302);
      expect(hop.location).toBe(`${SIGNED_OUT_URI}?state=s2`);
      expect(await t.snapshot()).toEqual(before);
    });
  });
});
