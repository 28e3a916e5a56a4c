/**
 * Chromium for the sign-in tests: Debian's /usr/bin/chromium driven by Playwright, with the flags that keep
 * it quiet on a shared machine. Tests wait for URLs and elements, never for "network idle".
 */
import { chromium, type Browser, type Page } from '@playwright/test';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Fills and submits the hosted sign-in page the browser is on (the caller waits for where it lands). */
export async function signInOnHostedPage(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.locator('input[name=username]').fill(user.username);
  await page.locator('input[name=password]').fill(user.password);
  await page.locator('form button[type=submit], form input[type=submit]').first().click();
}

/** True when the page shows the hosted sign-in form (the provider asks for the password). */
export async function onHostedPage(page: Page, issuer: string): Promise<boolean> {
  return page.url().startsWith(issuer) && (await page.locator('input[name=password]').count()) === 1;
}

/** Waits for the browser to reach `url` (bounded); when it does not, the error says where it is and what it shows. */
export async function arriveAt(page: Page, url: string | ((url: URL) => boolean), timeout = 10_000): Promise<void> {
  try {
    await page.waitForURL(url, { timeout });
  } catch {
    const body = ((await page.locator('body').textContent({ timeout: 1_000 }).catch(() => '')) ?? '').replace(/\s+/g, ' ').slice(0, 400);
    throw new Error(`the browser did not arrive at ${typeof url === 'string' ? url : 'the expected page'}: it is at ${page.url()} showing "${body}"`);
  }
}
