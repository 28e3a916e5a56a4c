/** The confirmation every destructive action goes through: blast radius first, receipt after. */
import { expect, type Page } from '@playwright/test';

/** The blast radius lists exactly these devices (in any order) and this many live access tokens. */
export async function assertBlastRadius(page: Page, devices: readonly string[], liveAccessTokens: number): Promise<void> {
  const radius = page.getByTestId('blast-radius');
  await expect(radius).toBeVisible();
  await expect(page.getByTestId('blast-radius-live-tokens')).toHaveText(String(liveAccessTokens));
  const listed = page.getByTestId('blast-radius-devices').locator('[data-testid^="blast-radius-device-"]');
  await expect(listed).toHaveCount(devices.length);
  for (const device of devices) await expect(page.getByTestId('blast-radius-devices')).toContainText(device);
}

export async function fillConfirmReason(page: Page, reason: string): Promise<void> {
  await page.getByTestId('confirm-reason').fill(reason);
}

export async function clickConfirm(page: Page): Promise<void> {
  await page.getByTestId('confirm-submit').click();
}

/** The receipt replaced the form: who did what, why, and how many sessions died. */
export async function assertReceipt(page: Page, expected: { reason: string; sessionsRevoked: number }): Promise<void> {
  await expect(page.getByTestId('receipt')).toBeVisible();
  await expect(page.getByTestId('receipt-reason')).toHaveText(expected.reason);
  await expect(page.getByTestId('receipt-sessions')).toContainText(String(expected.sessionsRevoked));
  await expect(page.getByTestId('receipt-actor')).not.toBeEmpty();
}

export async function closeReceipt(page: Page): Promise<void> {
  await page.getByTestId('confirm-close').click();
  await expect(page.getByTestId('confirm-dialog')).toBeHidden();
}
