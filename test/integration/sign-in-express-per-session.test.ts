/**
 * One session's end must end only that session at an express-openid-connect app. The library records a
 * logout token under its `sid` AND its `sub`, and treats a recorded `sub` as "every session of this user"
 * (Back-Channel Logout 1.0 §2.4 means that only for a token without `sid`). So a token carrying both, for one
 * revoked session, signs the user out of the app in every browser — and with a session limit
 * (`revoke_oldest`), the token for the oldest session arrives just after the newest sign-in and signs that
 * one out too: the user can never stay signed in. For the same reason a logout token replayed within its
 * lifetime (the library keeps no jti) signs out a session opened after it. Force logout, which ends every
 * session, is unaffected.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { listenOnLoopback, profileStatus, signInToApp, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';
import { CookieJar } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';

describe('express-openid-connect: ending one session ends only that one', () => {
  let t: TestWarden;
  let app: RunningApp;
  let user: TestUser;
  let tap: Server;
  /** Every logout_token the service POSTed, in order (the tap forwards each to the app unchanged). */
  const captured: string[] = [];

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('dee');
    const { server, url } = await listenOnLoopback();
    // A tap in front of the app's back-channel route records the logout tokens, as an eavesdropper would.
    tap = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const token = new URLSearchParams(body).get('logout_token');
        if (token) captured.push(token);
        void fetch(`${url}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(
          async (answer) => res.writeHead(answer.status).end(await answer.text()),
          () => res.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((resolve) => tap.listen(0, '127.0.0.1', resolve));
    const tapUrl = `http://127.0.0.1:${(tap.address() as AddressInfo).port}/backchannel-logout`;
    const created = await t.admin('createClient', { clientId: 'express-sessions', kind: 'confidential', name: 'Express app', redirectUris: [`${url}/callback`], backchannelLogoutUri: tapUrl });
    app = await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: 'express-sessions', CLIENT_SECRET: created.clientSecret!, SESSION_SECRET: 'per-session test secret, long enough' });
    await idTokenKeysReady(t);
  });

  afterAll(async () => {
    tap?.closeAllConnections();
    tap?.close();
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

  it('a logout token replayed after the user signed in again leaves the new session signed in', async () => {
    await t.admin('updateSettings', { sessionLimit: 0 });
    const before = new CookieJar();
    await signInToApp(before, app.url, user);
    const [ended] = await activeSessions();
    const recorded = loggedOut(ended!.id);
    await t.admin('revokeSession', { sessionId: ended!.id, reason: 'test: capture its logout token' });
    await recorded;
    const token = captured.at(-1)!;
    const after = new CookieJar();
    await signInToApp(after, app.url, user);
    expect((await profileStatus(after, app.url)).status).toBe(200);
    // The library accepts the replay (it keeps no jti); what it records must not reach the new session.
    const replay = await fetch(`${app.url}/backchannel-logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ logout_token: token }) });
    expect(replay.status).toBe(204);
    expect((await profileStatus(after, app.url)).status).toBe(200);
  });
});
