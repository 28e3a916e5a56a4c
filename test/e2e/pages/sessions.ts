/** The Sessions view (`#/sessions`): every session across users, filtered, with bulk revoke. */
import { expect, type Page } from '@playwright/test';

export async function openSessions(page: Page): Promise<void> {
  await page.getByTestId('nav-sessions').click();
  await expect(page.getByTestId('all-sessions-table')).toBeVisible();
}

export async function filterByClient(page: Page, clientId: string): Promise<void> {
  await page.getByTestId('sessions-filter-client').click();
  await page.getByTestId(`sessions-filter-client-${clientId}`).click();
  await expect(page).toHaveURL(new RegExp(`#/sessions\\?(.*&)?clientId=${clientId}`));
}

export function sessionRow(page: Page, sessionId: string) {
  return page.getByTestId(`all-sessions-row-${sessionId}`);
}

/** The rows on the page are exactly these sessions (any order). */
export async function assertRows(page: Page, sessionIds: readonly string[]): Promise<void> {
  await expect(page.getByTestId('all-sessions-table').locator('[data-testid^="all-sessions-row-"]')).toHaveCount(sessionIds.length);
  for (const id of sessionIds) await expect(sessionRow(page, id)).toBeAttached();
}

export async function selectSession(page: Page, sessionId: string): Promise<void> {
  await sessionRow(page, sessionId).getByRole('checkbox').check();
}

export async function assertSessionStatus(page: Page, sessionId: string, status: string): Promise<void> {
  await expect(page.getByTestId(`all-sessions-status-${sessionId}`)).toHaveAttribute('data-status', status);
}

export async function clickRevokeSelected(page: Page, count: number): Promise<void> {
  const button = page.getByTestId('sessions-revoke-selected');
  await expect(button).toHaveText(`Revoke selected (${count})`);
  await button.click();
}
