/**
 * Single sign-on between two Express apps on express-openid-connect: after signing in to one (password on
 * the hosted page), the other's attemptSilentLogin() (prompt=none) signs the same browser in without a
 * prompt, through the provider's browser session; a browser the provider does not know gets login_required,
 * which the library turns into an anonymous page (no loop, no error). A force logout ends the browser session,
 * so the silent sign-in stops working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { listenOnLoopback, signInToApp, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';
import { CookieJar, follow } from '../interop-sign-in/hosted-page-driver';

describe('express-openid-connect: silent sign-in (prompt=none) through the browser session', () => {
  let t: TestWarden;
  const apps: RunningApp[] = [];
  let user: TestUser;

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('fay');
    for (const clientId of ['shop', 'blog']) {
      const { server, url } = await listenOnLoopback();
      const created = await t.admin('createClient', { clientId, kind: 'confidential', name: clientId, redirectUris: [`${url}/callback`], backchannelLogoutUri: `${url}/backchannel-logout` });
      apps.push(await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: clientId, CLIENT_SECRET: created.clientSecret!, SESSION_SECRET: `${clientId} session secret, long enough` }));
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await t?.close();
  });

  const silentPage = async (jar: CookieJar, app: RunningApp) => {
    const end = await follow(jar, `${app.url}/silent`);
    return { status: end.status, body: end.body, at: end.url };
  };

  it('a browser signed in to one app is signed in to the other without the password', async () => {
    const [shop, blog] = apps as [RunningApp, RunningApp];
    const jar = new CookieJar();
    expect(await signInToApp(jar, shop.url, user)).toBe(true);
    expect(await silentPage(jar, blog)).toMatchObject({ status: 200, body: `silent: signed in as ${user.id}` });
    expect((await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).items.map((s) => s.clientId).sort()).toEqual(['blog', 'shop']);
  });

  it('a browser the provider does not know gets an anonymous page (login_required), once', async () => {
    const blog = apps[1]!;
    const stranger = new CookieJar();
    const before = await t.snapshot();
    expect(await silentPage(stranger, blog)).toMatchObject({ status: 200, body: 'silent: signed out' });
    expect(await t.snapshot()).toEqual(before);
  });

  it('after a force logout the silent sign-in no longer works', async () => {
    const [shop, blog] = apps as [RunningApp, RunningApp];
    const jar = new CookieJar();
    await signInToApp(jar, shop.url, user);
    await t.admin('forceLogout', { userId: user.id, reason: 'test: end the browser session' });
    expect(await silentPage(jar, blog)).toMatchObject({ status: 200, body: 'silent: signed out' });
  });
});
