/** Moving around the console through its navigation, each step waiting for the page it leads to. */
import { expect, type Page } from '@playwright/test';

/** The element that says each page has rendered. */
const LANDMARK = {
  overview: 'stat-users',
  users: 'create-user-open',
  keys: 'keys-table',
  clients: 'create-client-open',
  audit: 'audit-chain-status',
  inspector: 'inspector-input',
  settings: 'settings-save',
} as const;

export type NavTarget = keyof typeof LANDMARK;

async function goTo(page: Page, target: NavTarget): Promise<void> {
  await page.getByTestId(`nav-${target}`).click();
  await expect(page.getByTestId(`nav-${target}`)).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId(LANDMARK[target])).toBeVisible();
}

export const goToOverview = (page: Page) => goTo(page, 'overview');
export const goToUsers = (page: Page) => goTo(page, 'users');
export const goToKeys = (page: Page) => goTo(page, 'keys');
export const goToClients = (page: Page) => goTo(page, 'clients');
export const goToAudit = (page: Page) => goTo(page, 'audit');
export const goToInspector = (page: Page) => goTo(page, 'inspector');
export const goToSettings = (page: Page) => goTo(page, 'settings');

/** Asserts the page for `target` is the one shown (after keyboard navigation, say). */
export async function assertOnPage(page: Page, target: NavTarget): Promise<void> {
  await expect(page.getByTestId(`nav-${target}`)).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId(LANDMARK[target])).toBeVisible();
}
