/**
 * The seed's case, end to end: an Express app on express-openid-connect (from npm, configured as its docs
 * say, back-channel logout on) signs users in through Token Warden's hosted page in Chromium, and an admin's
 * force logout ends the app's own cookie session — its next request is sent to sign in again, and the
 * hosted page asks for the password because the provider's browser session ended too. RP-initiated logout
 * through the library's /logout route ends both as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { arriveAt, launchChromium, onHostedPage, signInOnHostedPage } from '../interop-sign-in/browser';
import { listenOnLoopback, startSignInApp, type RunningApp } from '../interop-sign-in/express-app';

/** Bounded wait for a condition on the app's state (each probe is a real request or a store lookup). */
async function until(what: string, probe: () => Promise<boolean> | boolean, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i += 1) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what}: not within ${attempts} probes`);
}

describe('express-openid-connect through the hosted page (Chromium)', () => {
  let t: TestWarden;
  let app: RunningApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  const clientId = 'express-web';

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('ana');
    const { server, url } = await listenOnLoopback();
    const created = await t.admin('createClient', {
      clientId,
      kind: 'confidential',
      name: 'Express web app',
      redirectUris: [`${url}/callback`],
      postLogoutRedirectUris: [url, `${url}/`],
      backchannelLogoutUri: `${url}/backchannel-logout`,
    });
    if (!created.clientSecret) throw new Error('a confidential client must get a secret');
    app = await startSignInApp(server, { ISSUER: t.baseUrl, BASE_URL: url, CLIENT_ID: clientId, CLIENT_SECRET: created.clientSecret, SESSION_SECRET: 'a long random session secret for the test app' });
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.close();
  });

  /** The app's view of the browser's session: what its home page says to the browser's cookies. */
  async function appSessionState(): Promise<string> {
    const cookies = (await context.cookies(app.url)).map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
    const response = await fetch(`${app.url}/`, { headers: { cookie: cookies }, redirect: 'manual' });
    return response.text();
  }

  async function visitProfile(): Promise<void> {
    await page.goto(`${app.url}/profile`);
    await arriveAt(page, (url) => url.href.startsWith(`${app.url}/profile`) || url.href.startsWith(t.baseUrl));
  }

  it('requiresAuth() sends the browser to the hosted page; signing in returns to the app with the user', async () => {
    await visitProfile();
    expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
    expect(await onHostedPage(page, t.baseUrl)).toBe(true);
    await signInOnHostedPage(page, user);
    await arriveAt(page, `${app.url}/profile`);
    expect(await page.locator('body').textContent()).toBe('Signed in as ana');
    expect(await appSessionState()).toMatch(/^home: signed in as /);
    // The sign-in is a session of its own in the service, under a browser session.
    const live = await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 });
    expect(live.items.map((session) => session.clientId)).toEqual([clientId]);
  });

  it("forceLogout ends the app's session (next request → sign in) and the next visit asks for the password", async () => {
    const delivered = new Promise<string>((resolve) => {
      const off = app.store.onSet((key) => {
        off();
        resolve(key);
      });
    });
    await t.admin('forceLogout', { userId: user.id, reason: 'test: the seed blocked someone' });
    const key = await Promise.race([delivered, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no logout token within 5 s')), 5_000))]);
    expect(key.startsWith(`${t.baseUrl}|`)).toBe(true);
    await until('the app signing the browser out', async () => (await appSessionState()) === 'home: signed out');

    await visitProfile();
    expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
    expect(await onHostedPage(page, t.baseUrl)).toBe(true);

    // Signing in again works: the library forgets the old logout on a new login.
    await signInOnHostedPage(page, user);
    await arriveAt(page, `${app.url}/profile`);
    expect(await page.locator('body').textContent()).toBe('Signed in as ana');
  });

  it("the library's /logout (RP-initiated) ends the provider session: the next sign-in asks for the password", async () => {
    await page.goto(`${app.url}/logout`);
    await arriveAt(page, (url) => url.href.startsWith(app.url) && !url.pathname.startsWith('/logout'));
    expect(await appSessionState()).toBe('home: signed out');
    const live = await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 });
    expect(live.items).toHaveLength(0);
    await visitProfile();
    expect(await onHostedPage(page, t.baseUrl)).toBe(true);
  });
});
