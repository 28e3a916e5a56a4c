/** A user's detail view: account facts, device sessions and the actions that end them. */
import { expect, type Page } from '@playwright/test';

export type SessionState = 'active' | 'cant_refresh' | 'revoked' | 'expired';

/** The session row shows `device` with `status`: no reload, the view follows the live stream. */
export async function assertSession(page: Page, sessionId: string, device: string, status: SessionState): Promise<void> {
  await expect(page.getByTestId(`session-link-${sessionId}`)).toHaveText(device);
  await expect(page.getByTestId(`session-status-${sessionId}`)).toHaveAttribute('data-status', status);
}

export async function assertNoSessions(page: Page): Promise<void> {
  await expect(page.getByTestId('sessions-empty')).toBeVisible();
}

export async function assertRefreshVersion(page: Page, version: number): Promise<void> {
  await expect(page.getByTestId('user-refresh-version')).toHaveText(String(version));
}

export async function clickForceLogout(page: Page): Promise<void> {
  await page.getByTestId('action-force-logout').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
}

export async function clickBumpRefreshVersion(page: Page): Promise<void> {
  await page.getByTestId('action-bump-refresh-version').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
}

export async function clickSessionLink(page: Page, sessionId: string): Promise<void> {
  await page.getByTestId(`session-link-${sessionId}`).click();
  await expect(page.getByTestId('session-timeline')).toBeVisible();
}
