/**
 * Attacks the client library is there to refuse, against express-openid-connect as configured in the
 * docs (the browser driven with fetch and cookie jars): a sign-in response without its `state`, one made for
 * another browser (login CSRF: the attacker's own code planted in the victim's browser), and a callback URL
 * replayed after it was used. Each is refused by the app with a 400 and changes nothing at the service: no
 * code is redeemed, no session opened. The openid-client refusals (mix-up `iss`, missing/other `state`) are
 * in sign-in-openid-client.test.ts; the service-side attacks in the authorize, sign-in page, code and
 * back-channel tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { listenOnLoopback, profileStatus, signInToApp, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';
import { CookieJar, request, signInThroughHostedPage } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';

describe('express-openid-connect refuses forged and replayed sign-in responses', () => {
  let t: TestWarden;
  let app: RunningApp;
  let victim: TestUser;
  let attacker: TestUser;
  const clientId = 'express-attacks';

  beforeAll(async () => {
    t = await startTestWarden();
    victim = await t.createUser('victim');
    attacker = await t.createUser('mallory');
    const { server, url } = await listenOnLoopback();
    const created = await t.admin('createClient', { clientId, kind: 'confidential', name: 'Express app', redirectUris: [`${url}/callback`], backchannelLogoutUri: `${url}/backchannel-logout` });
    app = await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: clientId, CLIENT_SECRET: created.clientSecret!, SESSION_SECRET: 'attack test session secret, long enough' });
    await idTokenKeysReady(t);
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  /** A sign-in run up to the callback URL the provider sends the browser to (not yet visited). */
  const callbackFor = async (jar: CookieJar, user: TestUser) =>
    new URL((await signInThroughHostedPage(jar, `${app.url}/login`, user, (url) => url.startsWith(`${app.url}/callback`))).callbackUrl);

  it('a response without its state: 400, nobody signed in, the code not redeemed', async () => {
    const jar = new CookieJar();
    const callback = await callbackFor(jar, victim);
    const before = await t.snapshot();
    callback.searchParams.delete('state');
    const answer = await request(jar, callback.href);
    expect(answer.status).toBe(400);
    expect(jar.get(app.url, 'appSession')).toBeUndefined();
    expect(await t.snapshot()).toEqual(before);
  });

  // express-openid-connect's state only carries returnTo (not random: "the library utilizes either nonce or
  // PKCE for CSRF protection"), so the planted code reaches the token endpoint with the victim's PKCE
  // verifier, and the service's PKCE check is what refuses it.
  it("login CSRF: the attacker's own callback opened in the victim's browser is refused (PKCE: the victim's verifier)", async () => {
    const attackerJar = new CookieJar();
    const planted = await callbackFor(attackerJar, attacker);
    // The victim's browser has a sign-in of its own under way, so the app holds a transaction for it.
    const victimJar = new CookieJar();
    await callbackFor(victimJar, victim);
    const before = await t.snapshot();
    const answer = await request(victimJar, planted.href);
    expect(answer.status).toBe(400);
    expect(victimJar.get(app.url, 'appSession')).toBeUndefined();
    expect(await t.snapshot()).toEqual(before);
  });

  it('a used callback URL replayed: the same browser is sent home (a stale callback), another one refused; nothing changes', async () => {
    const jar = new CookieJar();
    const callback = await callbackFor(jar, victim);
    expect((await request(jar, callback.href)).status).toBe(302);
    expect((await profileStatus(jar, app.url)).status).toBe(200);
    const before = await t.snapshot();
    expect(await request(jar, callback.href)).toMatchObject({ status: 302, location: `${app.url}/` });
    const elsewhere = new CookieJar();
    expect((await request(elsewhere, callback.href)).status).toBe(400);
    expect(elsewhere.get(app.url, 'appSession')).toBeUndefined();
    // The state transaction was used up: the library refuses before the code reaches the token endpoint.
    expect(await t.snapshot()).toEqual(before);
    expect((await profileStatus(jar, app.url)).status).toBe(200);
  });

  it('signing in through the library still works after the refusals', async () => {
    const jar = new CookieJar();
    await signInToApp(jar, app.url, attacker);
    expect((await profileStatus(jar, app.url)).status).toBe(200);
  });
});
