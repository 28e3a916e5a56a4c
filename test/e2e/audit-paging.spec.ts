/**
 * The audit log pages by sequence cursors and never counts the log: while more pages exist the total is
 * unknown, the last page makes it known, and a filter that shrinks many pages to one must render at once
 * (that jump once blanked the console: see AuditTable's paginationMeta).
 */
import { test, expect } from './fixtures/warden';
import { goToAudit } from './pages/navigation';

test('page forward and back through the audit log, then filter many pages down to one', async ({ warden }) => {
  const { page, driver } = warden;
  // 30 user.created entries plus the start-up ones: two pages at 25 a page, the second short.
  for (let i = 0; i < 30; i++) await driver.call('createUser', { username: `pager${String(i).padStart(2, '0')}`, password: 'correct horse battery' });
  const total = (await driver.call('listAudit', { limit: 500 })).items.length;
  expect(total).toBeGreaterThan(30);
  expect(total).toBeLessThanOrEqual(50);

  await goToAudit(page);
  const rows = page.getByTestId('audit-table').locator('[data-testid^="audit-row-"]');
  await page.getByTestId('audit-table').getByRole('combobox').click();
  await page.getByRole('option', { name: '25' }).click();
  await expect(rows).toHaveCount(25);
  const next = page.getByRole('button', { name: 'Go to next page' });
  const previous = page.getByRole('button', { name: 'Go to previous page' });
  await expect(next).toBeEnabled();

  await test.step('the last page is short, and from there the total is known and there is no next page', async () => {
    await next.click();
    await expect(rows).toHaveCount(total - 25);
    await expect(next).toBeDisabled();
    await expect(page.getByTestId('audit-table')).toContainText(`26–${total} of ${total}`);
  });

  await test.step('back to the newest page', async () => {
    await previous.click();
    await expect(rows).toHaveCount(25);
    await expect(next).toBeEnabled();
  });

  await test.step('a type filter shrinks two pages to one page of the one key-creation entry', async () => {
    await page.getByTestId('audit-filter-type').click();
    await page.getByTestId('audit-filter-type-key.created').click();
    await page.keyboard.press('Escape'); // the type list takes several: it stays open until closed
    await expect(rows).toHaveCount(1);
    await expect(page.getByTestId('audit-table')).toContainText('key.created');
    await expect(next).toBeDisabled();
  });
});
