/**
 * Accessibility: an axe-core scan of every view, in both themes, on realistic data; a serious or critical
 * finding fails the test, with the rule, the elements and axe's help link in the message.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import { seed } from './fixtures/seed';
import { clickForceLogout } from './pages/user-detail';
import { openUser } from './pages/users';
import { allViews, openView, setTheme, settled } from './pages/views';

/** Serious and critical findings, one readable line each. */
async function seriousFindings(page: Page): Promise<string[]> {
  // Contrast is judged on colours at rest: a chip or tooltip caught mid-transition (a demo device's status turning
  // from pending to 200, live) blends two colours and reads as a contrast failure that no user sees.
  await page.addStyleTag({ content: '*, *::before, *::after { transition: none !important; animation: none !important; }' });
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} (${violation.helpUrl}) at ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 5).join(' | ')}`);
}

for (const mode of ['light', 'dark'] as const) {
  test(`every view (${mode} theme) has no serious or critical axe finding`, async ({ warden }) => {
    // Thirteen views and a dialog, each scanned whole: slow on a loaded machine.
    test.setTimeout(300_000);
    const { page } = warden;
    const seeded = await seed(warden);
    await setTheme(page, mode);
    const findings: string[] = [];
    for (const view of allViews(seeded)) {
      await test.step(view.name, async () => {
        await openView(page, view);
        for (const finding of await seriousFindings(page)) findings.push(`${view.name}: ${finding}`);
      });
    }
    await test.step('confirmation dialog with its blast radius', async () => {
      await openUser(page, 'bob');
      await clickForceLogout(page);
      await expect(page.getByTestId('blast-radius-live-tokens')).toBeVisible();
      for (const finding of await seriousFindings(page)) findings.push(`confirm dialog: ${finding}`);
      await page.getByTestId('confirm-cancel').click();
      await expect(page.getByTestId('confirm-dialog')).toBeHidden();
    });
    expect(findings).toEqual([]);
  });
}

test.describe('demo', () => {
  test.use({ wardenArgs: ['--demo'] });

  test('the demo view has no serious or critical axe finding', async ({ warden }) => {
    test.setTimeout(120_000);
    const { page } = warden;
    for (const mode of ['light', 'dark'] as const) {
      await setTheme(page, mode);
      await openView(page, { name: 'demo', hash: '#/demo' });
      await expect(page.getByTestId('demo-devices-table')).toBeVisible();
      await settled(page);
      expect(await seriousFindings(page), `demo (${mode})`).toEqual([]);
    }
  });
});
