/**
 * Layout at the three window sizes the console is shown at (1024×700, 1440×900, 1920×1080): every view on
 * realistic data, and the demo's device table. A table whose content is wider than its container, a grid
 * that scrolls sideways, a cut-off header or cell, or a page wider than the window fails the test.
 */
import { test, expect } from './fixtures/warden';
import { seed } from './fixtures/seed';
import { findOverflows, SIZES } from './pages/layout';
import { allViews, openView } from './pages/views';

test('no view overflows its container at 1024, 1440 or 1920 px', async ({ warden }) => {
  test.setTimeout(120_000);
  const { page } = warden;
  const seeded = await seed(warden);
  const overflows: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const view of allViews(seeded)) {
      await test.step(`${view.name} at ${size.width}×${size.height}`, async () => {
        await openView(page, view);
        for (const overflow of await findOverflows(page)) overflows.push(`${view.name} at ${size.width}px: ${overflow}`);
      });
    }
  }
  expect(overflows).toEqual([]);
});

test.describe('demo', () => {
  test.use({ wardenArgs: ['--demo'] });

  test('the demo device table fits at 1024, 1440 and 1920 px', async ({ warden }) => {
    const { page } = warden;
    const overflows: string[] = [];
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await openView(page, { name: 'demo', hash: '#/demo' });
      await expect(page.getByTestId('demo-devices-table').locator('.MuiDataGrid-row').first()).toBeVisible();
      for (const overflow of await findOverflows(page)) overflows.push(`demo at ${size.width}px: ${overflow}`);
    }
    expect(overflows).toEqual([]);
  });
});
