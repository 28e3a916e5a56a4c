/**
 * A routine rotation of the ID-token key pair (RS256) as express-openid-connect sees it. The app caches the
 * JWKS twice (openid-client for ID tokens, jose's remote set for logout tokens, which refuses an unknown kid
 * for 30 s after a fetch), so a rotation must not hand it a token signed by a key it has never seen: the next
 * key is published ahead. After the rotation, a session signed in before it still ends by back-channel logout,
 * and a new sign-in validates its ID token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { listenOnLoopback, profileStatus, signInToApp, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';
import { CookieJar } from '../interop-sign-in/hosted-page-driver';
import { idTokenKeysReady } from '../interop-sign-in/keys';

describe('express-openid-connect across a rotation of the ID-token keys', () => {
  let t: TestWarden;
  let app: RunningApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('eve');
    const { server, url } = await listenOnLoopback();
    const created = await t.admin('createClient', { clientId: 'express-rotation', kind: 'confidential', name: 'Express app', redirectUris: [`${url}/callback`], backchannelLogoutUri: `${url}/backchannel-logout` });
    app = await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: 'express-rotation', CLIENT_SECRET: created.clientSecret!, SESSION_SECRET: 'rotation test session secret, long enough' });
    await idTokenKeysReady(t);
  });

  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  it('a logout token and an ID token signed by the newly active key are accepted with the JWKS the app cached', async () => {
    const before = new CookieJar();
    await signInToApp(before, app.url, user);
    // One back-channel logout before the rotation, so the app's logout-token key set is fetched and cached.
    const warmed = new CookieJar();
    await signInToApp(warmed, app.url, user);
    const [warmSession] = (await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 1 })).items;
    const warmRecorded = new Promise<void>((resolve) => {
      const off = app.store.onSet((key) => key.endsWith(`|${warmSession!.id}`) && (off(), resolve()));
    });
    await t.admin('revokeSession', { sessionId: warmSession!.id, reason: 'test: cache the key set' });
    await warmRecorded;

    const nextKid = (await t.admin('listKeys', {})).find((key) => key.alg === 'RS256' && key.status === 'next')!.kid;
    const rotated = await t.admin('rotateSigningKey', { alg: 'RS256', reason: 'test: routine rotation' });
    expect(rotated.kid).toBe(nextKid);

    const ended = new Promise<string>((resolve) => {
      const off = app.store.onSet((key) => (off(), resolve(key)));
    });
    await t.admin('forceLogout', { userId: user.id, reason: 'test: after the rotation' });
    expect((await ended).startsWith(`${t.baseUrl}|`)).toBe(true);
    expect((await profileStatus(before, app.url)).status).toBe(302);

    const after = new CookieJar();
    await signInToApp(after, app.url, user);
    expect((await profileStatus(after, app.url)).status).toBe(200);
    // Both tokens after the rotation were signed by the key that was "next" when the app cached the set.
    expect((await t.admin('listKeys', {})).find((key) => key.kid === nextKid)?.status).toBe('active');
  });
});
