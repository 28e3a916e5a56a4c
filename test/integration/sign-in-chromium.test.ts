/**
 * The hosted sign-in page in a real Chromium with JavaScript OFF: labels name the fields, the first field has
 * focus, a wrong password comes back as an alert with focus on the password, the right one lands on the app's
 * redirect URI with code, state and iss. Framed by another site, the page does not render. Dark mode follows
 * the system.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, expect as pwExpect, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUrl, pkce } from '../helpers/front-channel';
import { startTestWarden, type TestUser, type TestWarden } from '../helpers/warden';

describe('hosted sign-in page in Chromium without JavaScript', () => {
  let t: TestWarden;
  let browser: Browser;
  let appServer: Server;
  let appOrigin: string;
  let user: TestUser;
  const clientId = `chromium-app-${process.pid}`;
  const { challenge } = pkce();

  beforeAll(async () => {
    t = await startTestWarden();
    user = await t.createUser();
    // The app: a callback that shows what it got, and a page that tries to frame the sign-in page.
    appServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = url.pathname === '/frame'
        ? `<!doctype html><title>framer</title><iframe name="victim" src="${url.searchParams.get('src')?.replace(/"/g, '&quot;')}"></iframe>`
        : `<!doctype html><title>app callback</title><p id="code">${url.searchParams.has('code') ? 'got a code' : 'no code'}</p>`;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(body);
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    appOrigin = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
    await t.admin('createClient', { clientId, kind: 'public', name: 'Chromium Notes', redirectUris: [`${appOrigin}/callback`], grantTypes: ['authorization_code', 'refresh_token'] });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => appServer?.close(resolve));
    await t?.close();
  });

  const signInUrl = () => authorizeUrl(t, { client_id: clientId, redirect_uri: `${appOrigin}/callback`, response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256', state: 'chromium-state' });

  it('labels, focus and the alert are right, and signing in lands on the app with a code', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(signInUrl());
      await pwExpect(page.getByText('Chromium Notes')).toBeVisible();
      await pwExpect(page.getByLabel('Username')).toBeFocused();
      await pwExpect(page.getByLabel('Password')).toHaveAttribute('type', 'password');
      await pwExpect(page.getByLabel('Keep me signed in')).not.toBeChecked();
      await pwExpect(page.getByRole('button')).toHaveText('Sign in');
      await pwExpect(page.getByRole('alert')).toHaveCount(0);

      await page.getByLabel('Username').fill(user.username);
      await page.getByLabel('Password').fill('not the password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await pwExpect(page.getByRole('alert')).toHaveText('The username or password is wrong.');
      await pwExpect(page.getByLabel('Password')).toBeFocused();
      await pwExpect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
      await pwExpect(page.getByLabel('Username')).toHaveValue(user.username);

      await page.getByLabel('Password').fill(user.password);
      await page.getByLabel('Keep me signed in').check();
      await Promise.all([page.waitForURL(`${appOrigin}/callback?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      const landed = new URL(page.url());
      expect(landed.searchParams.get('state')).toBe('chromium-state');
      expect(landed.searchParams.get('iss')).toBe(t.baseUrl);
      expect(landed.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const cookie = (await context.cookies(t.baseUrl)).find((c) => c.name === 'tw_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

      // A second visit goes straight back to the app: the browser session signs in without the password.
      await page.goto(signInUrl());
      await page.waitForURL(`${appOrigin}/callback?**`);
    } finally {
      await context.close();
    }
  });

  it('framed by another site, the page does not render', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const framed = page.waitForResponse((response) => response.url().startsWith(`${t.baseUrl}/oauth/authorize`));
      await page.goto(`${appOrigin}/frame?src=${encodeURIComponent(signInUrl())}`);
      const response = await framed;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(frame).toBeDefined();
      // Chromium replaces a refused frame's document with its own error page: no form in it.
      await pwExpect.poll(() => frame!.url()).not.toBe('about:blank');
      await page.waitForLoadState('load');
      expect(await frame!.locator('input[name=password]').count()).toBe(0);
      expect(response.headers()['x-frame-options']).toBe('DENY');
    } finally {
      await context.close();
    }
  });

  it('follows a dark system theme', async () => {
    const backgrounds: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ javaScriptEnabled: false, colorScheme });
      try {
        const page = await context.newPage();
        await page.goto(signInUrl());
        backgrounds.push(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'));
      } finally {
        await context.close();
      }
    }
    expect(backgrounds[0]).toBe('rgb(245, 246, 248)');
    expect(backgrounds[1]).toBe('rgb(13, 17, 23)');
  });
});
