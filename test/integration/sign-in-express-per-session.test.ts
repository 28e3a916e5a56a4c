/**
 * One session's end must end only that session at an express-openid-connect app. The library records a
 * logout token under its `sid` AND its `sub`, and treats a recorded `sub` as "every session of this user"
 * (Back-Channel Logout 1.0 §2.4 means that only for a token without `sid`). So a token carrying both, for one
 * revoked session, signs the user out of the app in every browser — and with a session limit
 * (`revoke_oldest`), the token for the oldest session arrives just after the newest sign-in and signs that
 * one out too: the user can never stay signed in. Force logout, which ends every session, is unaffected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { listenOnLoopback, profileStatus, signInToApp, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';
import { CookieJar } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';

describe('express-openid-connect: ending one session ends only that one', () => {
  let t: TestWarden;
  let app: RunningApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('dee');
    const { server, url } = await listenOnLoopback();
    const created = await t.admin('createClient', { clientId: 'express-sessions', kind: 'confidential', name: 'Express app', redirectUris: [`${url}/callback`], backchannelLogoutUri: `${url}/backchannel-logout` });
    app = await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: 'express-sessions', CLIENT_SECRET: created.clientSecret!, SESSION_SECRET: 'per-session test secret, long enough' });
    await idTokenKeysReady(t);
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  /** Resolves once the app has recorded the logout token for provider session `sid`. */
  const loggedOut = (sid: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no logout token for ${sid} within 5 s`)), 5_000);
      const off = app.store.onSet((key) => {
        if (key !== `${t.baseUrl}|${sid}`) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  const activeSessions = async () => (await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).items;

  it("revoking one browser's session in the console leaves the user's other browser signed in", async () => {
    const laptop = new CookieJar();
    await signInToApp(laptop, app.url, user);
    const [laptopSession] = await activeSessions();
    const phone = new CookieJar();
    await signInToApp(phone, app.url, user);
    expect((await profileStatus(laptop, app.url)).status).toBe(200);
    expect((await profileStatus(phone, app.url)).status).toBe(200);

    const recorded = loggedOut(laptopSession!.id);
    await t.admin('revokeSession', { sessionId: laptopSession!.id, reason: 'test: the laptop was lost' });
    await recorded;
    expect((await profileStatus(laptop, app.url)).status).toBe(302);
    expect((await profileStatus(phone, app.url)).status).toBe(200);
    await t.admin('forceLogout', { userId: user.id, reason: 'test: clean up' });
  });

  it('with a session limit of 1 (revoke_oldest), the newest sign-in stays signed in', async () => {
    await t.admin('updateSettings', { sessionLimit: 1, sessionLimitPolicy: 'revoke_oldest' });
    const first = new CookieJar();
    await signInToApp(first, app.url, user);
    const [oldest] = await activeSessions();
    const recorded = loggedOut(oldest!.id);
    const second = new CookieJar();
    await signInToApp(second, app.url, user);
    await recorded;
    expect((await profileStatus(first, app.url)).status).toBe(302);
    expect((await profileStatus(second, app.url)).status).toBe(200);
  });
});
