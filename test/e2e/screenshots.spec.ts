/**
 * The console's main views as PNGs for docs/screenshots, on realistic data: a few users, sessions on several
 * devices and apps, refreshes, a refresh-token reuse, a force logout and a key rotation. The README's set is
 * the story at 1440×900, light (docs/screenshots/<view>.png); every view is also taken at 1024×700, 1440×900
 * and 1920×1080 in light and dark (docs/screenshots/<width>x<height>-<theme>/<view>.png), the sizes the layout
 * spec holds the console to. Runs only with TW_SCREENSHOTS=1:
 *   npx electron-vite build && TW_SCREENSHOTS=1 npx playwright test screenshots
 * (TW_SCREENSHOTS_DIR=<dir> writes them there instead.)
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import { LAPTOP, PHONE, decodeAccessToken } from './fixtures/oauth';
import { REPO_ROOT } from './fixtures/server-process';
import { DESKTOP, seed } from './fixtures/seed';
import { assertBlastRadius } from './pages/confirm';
import { assertVerdict, inspectToken } from './pages/inspector';
import { activeKid, assertKeyStatus, rotateKey } from './pages/keys';
import { SIZES } from './pages/layout';
import { goToAudit, goToKeys, goToOverview, goToUsers } from './pages/navigation';
import { assertSession, clickForceLogout, clickSessionLink } from './pages/user-detail';
import { openUser } from './pages/users';
import { allViews, openView, setTheme, settled } from './pages/views';

/** TW_SCREENSHOTS_DIR: somewhere else than docs/screenshots (to look at a run without touching the repository's PNGs). */
const OUT = process.env.TW_SCREENSHOTS_DIR ?? path.join(REPO_ROOT, 'docs', 'screenshots');

test.describe('screenshots', () => {
  test.skip(process.env.TW_SCREENSHOTS !== '1', 'Screenshots are taken only with TW_SCREENSHOTS=1 (they rewrite docs/screenshots/*.png).');

  async function shoot(page: Page, name: string, folder = ''): Promise<void> {
    await settled(page, { live: true });
    // Keep the pointer and the focus off tooltips and hovered rows.
    await page.mouse.move(0, (page.viewportSize()?.height ?? 900) - 1);
    await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
    await page.screenshot({ path: path.join(OUT, folder, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  test('capture the main views', async ({ warden }) => {
    test.setTimeout(120_000);
    const { page } = warden;
    await page.setViewportSize({ width: 1440, height: 900 });
    const seeded = await seed(warden);
    const laptopSid = seeded.laptopSid;

    await test.step('keys: rotate, the old key retiring', async () => {
      await goToKeys(page);
      const oldKid = await activeKid(page);
      const newKid = await rotateKey(page, 'Scheduled quarterly rotation');
      await assertKeyStatus(page, oldKid, 'retiring');
      await assertKeyStatus(page, newKid, 'active');
      await shoot(page, 'keys');
    });

    await test.step('confirm force logout: the blast radius', async () => {
      await openUser(page, 'bob');
      await clickForceLogout(page);
      await assertBlastRadius(page, [PHONE.name, DESKTOP.name], 2);
      await page.getByTestId('confirm-reason').fill('Phone reported stolen');
      await shoot(page, 'confirm-force-logout');
      await page.getByTestId('confirm-submit').click();
      await expect(page.getByTestId('receipt')).toBeVisible();
      await page.getByTestId('confirm-close').click();
      await expect(page.getByTestId('confirm-dialog')).toBeHidden();
    });

    await test.step('user detail with sessions on three devices', async () => {
      await openUser(page, 'alice');
      await assertSession(page, laptopSid, LAPTOP.name, 'active');
      await page.getByTestId(`session-revoke-${decodeAccessToken(seeded.alicePhone.access_token).sid}`).click();
      await page.getByTestId('confirm-reason').fill('Old phone traded in');
      await page.getByTestId('confirm-submit').click();
      await page.getByTestId('confirm-close').click();
      await assertSession(page, decodeAccessToken(seeded.alicePhone.access_token).sid, PHONE.name, 'revoked');
      await shoot(page, 'user-detail');
    });

    await test.step('session timeline', async () => {
      await clickSessionLink(page, laptopSid);
      await expect(page.getByTestId('session-device')).toHaveText(LAPTOP.name);
      await expect(page.getByTestId('session-timeline').locator('[data-testid^="timeline-entry-"]')).not.toHaveCount(0);
      await shoot(page, 'session-timeline');
    });

    await test.step('inspector: a token killed by the force logout', async () => {
      await inspectToken(page, seeded.bobPhone.access_token);
      await assertVerdict(page, 'inactive', 'issued_before_not_before');
      await shoot(page, 'inspector');
    });

    await test.step('users', async () => {
      await goToUsers(page);
      await expect(page.getByTestId('users-total')).toHaveText('6 users');
      await shoot(page, 'users');
    });

    await test.step('audit', async () => {
      await goToAudit(page);
      await expect(page.getByTestId('audit-chain-status')).toHaveAttribute('data-ok', 'true');
      await expect(page.getByTestId('audit-table')).toBeVisible();
      await shoot(page, 'audit');
    });

    await test.step('overview', async () => {
      await goToOverview(page);
      await expect(page.getByTestId('activity-chart')).toBeVisible();
      await expect(page.getByTestId('stat-users')).toContainText('6');
      await shoot(page, 'overview');
    });
  });
  test('every view at 1024, 1440 and 1920 px, light and dark', async ({ warden }) => {
    test.setTimeout(300_000);
    const { page } = warden;
    const seeded = await seed(warden);
    for (const mode of ['light', 'dark'] as const) {
      await setTheme(page, mode);
      for (const size of SIZES) {
        const folder = `${size.width}x${size.height}-${mode}`;
        await page.setViewportSize(size);
        for (const view of allViews(seeded)) {
          await test.step(`${view.name} ${folder}`, async () => {
            await openView(page, view);
            await shoot(page, view.name, folder);
          });
        }
        await test.step(`confirm force logout ${folder}`, async () => {
          await openUser(page, 'bob');
          await clickForceLogout(page);
          await assertBlastRadius(page, [PHONE.name, DESKTOP.name], 2);
          await shoot(page, 'confirm-force-logout', folder);
          await page.getByTestId('confirm-cancel').click();
          await expect(page.getByTestId('confirm-dialog')).toBeHidden();
        });
      }
    }
  });
});
