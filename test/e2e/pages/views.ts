/**
 * Every view of the console, by its hash route, for the specs that visit them all (accessibility, layout,
 * screenshots). Pages added by a later change belong here too: a view missing from this list is a view
 * nobody checks.
 */
import { expect, type Page } from '@playwright/test';
import type { Seeded } from '../fixtures/seed';

export interface View {
  name: string;
  hash: string;
}

export function allViews(seeded: Seeded): View[] {
  return [
    { name: 'overview', hash: '#/' },
    { name: 'users', hash: '#/users' },
    { name: 'user-detail', hash: `#/users/${encodeURIComponent(seeded.aliceId)}` },
    { name: 'sessions', hash: '#/sessions' },
    { name: 'session-detail', hash: `#/sessions/${encodeURIComponent(seeded.laptopSid)}` },
    { name: 'keys', hash: '#/keys' },
    { name: 'clients', hash: '#/clients' },
    { name: 'client-detail', hash: `#/clients/${encodeURIComponent(seeded.clientId)}` },
    { name: 'admins', hash: '#/admins' },
    { name: 'alerts', hash: '#/alerts' },
    { name: 'audit', hash: '#/audit' },
    // One entry's detail panel (the oldest entry).
    { name: 'audit-entry', hash: '#/audit?seq=1' },
    { name: 'inspector', hash: `#/inspector?${new URLSearchParams({ token: seeded.aliceLaptop.access_token }).toString()}` },
    { name: 'settings', hash: '#/settings' },
    { name: 'deployments', hash: '#/deployments' },
  ];
}

/** Opens `view` in the running console (no reload) and waits until its queries have settled. */
export async function openView(page: Page, view: View): Promise<void> {
  await page.evaluate((hash) => {
    (globalThis as unknown as { location: { hash: string } }).location.hash = hash;
  }, view.hash);
  await settled(page);
  await expect(page.getByTestId('not-found'), `${view.name} is a page of the console`).toHaveCount(0);
}

/** Every query settled: no spinner, no error. (`live` too: the stream connected, for pictures of the header.) */
export async function settled(page: Page, options: { live?: boolean } = {}): Promise<void> {
  await expect(page.getByTestId('loading')).toHaveCount(0);
  await expect(page.getByTestId('app-loading')).toHaveCount(0);
  await expect(page.getByTestId('error-alert')).toHaveCount(0);
  // `idle`: no open view listens to the event stream (it reads as live).
  if (options.live) await expect(page.getByTestId('header-live')).toHaveAttribute('data-status', /^(live|idle)$/);
}

/** Switches the theme to `mode` with the header's toggle. */
export async function setTheme(page: Page, mode: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  if ((await toggle.getAttribute('data-mode')) !== mode) await toggle.click();
  await expect(toggle).toHaveAttribute('data-mode', mode);
}
