/** The audit log, its detail panel and export, and the reuse-alert worklist. */
import { expect, type Page } from '@playwright/test';

export async function openAudit(page: Page): Promise<void> {
  await page.getByTestId('nav-audit').click();
  await expect(page.getByTestId('audit-filter-q')).toBeVisible();
}

export async function searchAudit(page: Page, text: string): Promise<void> {
  await page.getByTestId('audit-filter-q').fill(text);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(text)}`));
}

/** Ticks these types in the multi-select and closes it. */
export async function pickAuditTypes(page: Page, types: readonly string[]): Promise<void> {
  await page.getByTestId('audit-filter-type').click();
  for (const type of types) await page.getByRole('option', { name: type, exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(new RegExp(`[?&]types=${types.map(encodeURIComponent).join('%2C')}`));
}

export function auditRows(page: Page) {
  return page.getByTestId('audit-table').locator('[data-testid^="audit-row-"]');
}

export async function openAuditEntry(page: Page, seq: number): Promise<void> {
  await page.getByTestId(`audit-open-${seq}`).click();
  await expect(page.getByTestId('audit-detail')).toHaveAttribute('data-seq', String(seq));
  await expect(page).toHaveURL(new RegExp(`[?&]seq=${seq}`));
}

export async function closeAuditEntry(page: Page): Promise<void> {
  await page.getByTestId('audit-detail-close').click();
  await expect(page.getByTestId('audit-detail')).toBeHidden();
}

export async function acknowledgeAlert(page: Page, seq: number, note: string): Promise<void> {
  await page.getByTestId(`alert-ack-${seq}`).click();
  await page.getByTestId('alert-ack-note').fill(note);
  await page.getByTestId('alert-ack-confirm').click();
  await expect(page.getByTestId('alert-ack-confirm')).toBeHidden();
}
