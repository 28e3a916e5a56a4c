/**
 * oidc-client-ts in a single-page app served on its own loopback origin, in Chromium: authorization code +
 * PKCE through the hosted page (a public client, no secret), a refresh that rotates the refresh token (the
 * old one is then refused), and signoutRedirect through the end-session endpoint back to the app, which ends
 * the session at the service.
 */
import type { Browser, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';
import { arriveAt, launchChromium, onHostedPage, signInOnHostedPage } from '../interop-sign-in/browser';
import { listenSpa, startSpa, type RunningSpa } from '../interop-sign-in/spa-server';

interface SpaUser {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  profile: { sub: string; sid?: string; preferred_username?: string };
}
declare const window: { spa: { signIn(): Promise<void>; signOut(): Promise<void>; refresh(): Promise<SpaUser>; user(): Promise<SpaUser | null> } };

describe('oidc-client-ts single-page app (Chromium)', () => {
  let t: TestWarden;
  let spa: RunningSpa;
  let browser: Browser;
  let page: Page;
  let user: TestUser;
  const clientId = 'spa';

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser('cy');
    const { server, url } = await listenSpa();
    await t.admin('createClient', { clientId, kind: 'public', name: 'Single-page app', redirectUris: [`${url}/callback`], postLogoutRedirectUris: [`${url}/`] });
    spa = await startSpa(server, url, { issuer: t.baseUrl, clientId });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(10_000);
  });

  afterAll(async () => {
    await browser?.close();
    await spa?.close();
    await t?.close();
  });

  const status = () => page.locator('#status');

  it('signs in with code + PKCE through the hosted page', async () => {
    await page.goto(`${spa.url}/`);
    await expect.poll(() => status().textContent()).toBe('signed out');
    await Promise.all([arriveAt(page, (url) => url.href.startsWith(t.baseUrl)), page.evaluate(() => void window.spa.signIn())]);
    expect(await onHostedPage(page, t.baseUrl)).toBe(true);
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    await signInOnHostedPage(page, user);
    await arriveAt(page, `${spa.url}/`);
    await expect.poll(() => status().textContent()).toBe('signed in as cy');
    const signedIn = await page.evaluate(() => window.spa.user());
    expect(signedIn?.profile.sub).toBe(user.id);
    expect(signedIn?.refresh_token).toBeDefined();
  });

  it('refreshes with rotation: a new refresh token and access token, the user unchanged', async () => {
    const before = await page.evaluate(() => window.spa.user());
    const after = await page.evaluate(() => window.spa.refresh());
    expect(after.refresh_token).toBeDefined();
    expect(after.refresh_token).not.toBe(before?.refresh_token);
    expect(after.access_token).not.toBe(before?.access_token);
    expect(after.profile.sub).toBe(user.id);
    const userinfo = await fetch(`${t.baseUrl}/oauth/userinfo`, { headers: { authorization: `Bearer ${after.access_token}` } });
    expect(userinfo.status).toBe(200);
  });

  it('signs out through the end-session endpoint back to the app, ending the session', async () => {
    expect((await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).total).toBe(1);
    // The end-session endpoint redirects straight back (a valid id_token_hint), so the provider's URL is never
    // committed: wait for the logout request, then for the page the redirects end on.
    const logoutRequest = page.waitForRequest((request) => request.url().startsWith(`${t.baseUrl}/oauth/logout?`));
    const landed = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    await page.evaluate(() => void window.spa.signOut());
    const sent = new URL((await logoutRequest).url());
    expect(sent.searchParams.get('id_token_hint')).toBeTruthy();
    expect(sent.searchParams.get('post_logout_redirect_uri')).toBe(`${spa.url}/`);
    expect((await landed).url()).toBe(`${spa.url}/`);
    expect((await t.admin('listSessions', { userId: user.id, status: 'active', offset: 0, limit: 10 })).total).toBe(0);
    // The provider's browser session ended too: signing in again asks for the password.
    await Promise.all([arriveAt(page, (url) => url.href.startsWith(t.baseUrl)), page.evaluate(() => void window.spa.signIn())]);
    expect(await onHostedPage(page, t.baseUrl)).toBe(true);
  });
});
