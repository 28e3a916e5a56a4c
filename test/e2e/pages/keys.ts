/** The Keys view: rotation and what each key still vouches for. */
import { expect, type Page } from '@playwright/test';

type KeyStatus = 'next' | 'active' | 'retiring' | 'retired' | 'revoked';

/**
 * The kid of the access-token algorithm's key in this state: `active` signs now, `next` is published to sign
 * after the next rotation. (Another algorithm's pair, for clients' ID tokens, has keys in these states too.)
 */
export async function kidWithStatus(page: Page, status: 'active' | 'next'): Promise<string> {
  const row = page.locator(`[data-testid^="key-row-"][data-status="${status}"][data-access="true"]`);
  await expect(row).toHaveCount(1);
  const testId = await row.getAttribute('data-testid');
  return testId!.slice('key-row-'.length);
}

/** The kid of the key whose row says it signs access tokens now. */
export const activeKid = (page: Page): Promise<string> => kidWithStatus(page, 'active');

export async function assertKeyStatus(page: Page, kid: string, status: KeyStatus): Promise<void> {
  await expect(page.getByTestId(`key-row-${kid}`)).toHaveAttribute('data-status', status);
  await expect(page.getByTestId(`key-status-${kid}`)).toHaveAttribute('data-status', status);
}

/** Rotates through the dialog with the default algorithm; returns the new key's kid. `cost`: what the dialog must say first. */
export async function rotateKey(page: Page, reason: string, cost: 'routine' | 'algorithm_change' = 'routine'): Promise<string> {
  await page.getByTestId('rotate-key').click();
  await expect(page.getByTestId('rotate-key-dialog')).toBeVisible();
  await expect(page.getByTestId('rotate-key-cost')).toHaveAttribute('data-kind', cost);
  await page.getByTestId('rotate-key-reason').fill(reason);
  await page.getByTestId('rotate-key-submit').click();
  const result = page.getByTestId('rotate-key-result');
  await expect(result).toBeVisible();
  const kid = await result.getAttribute('data-kid');
  await page.getByTestId('rotate-key-close').click();
  await expect(page.getByTestId('rotate-key-dialog')).toBeHidden();
  return kid!;
}
