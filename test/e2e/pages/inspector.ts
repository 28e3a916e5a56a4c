/** The token inspector: paste any token, read the verdict the service would give. */
import { expect, type Page } from '@playwright/test';
import { goToInspector } from './navigation';

export async function inspectToken(page: Page, token: string): Promise<void> {
  await goToInspector(page);
  await page.getByTestId('inspector-input').fill(token);
  await page.getByTestId('inspector-submit').click();
  await expect(page.getByTestId('inspector-result')).toBeVisible();
}

export async function assertVerdict(page: Page, status: 'active' | 'inactive', reason: string | null): Promise<void> {
  await expect(page.getByTestId('inspector-verdict')).toHaveAttribute('data-status', status);
  await expect(page.getByTestId('inspector-kind')).toHaveAttribute('data-kind', 'access_token');
  await expect(page.getByTestId('inspector-signature')).toHaveAttribute('data-valid', 'true');
  await expect(page.getByTestId('inspector-reason')).toHaveAttribute('data-reason', reason ?? '');
  if (reason !== null) await expect(page.getByTestId('inspector-reason')).toContainText(reason);
}
