/**
 * The console's main views as PNGs for docs/screenshots (shown in the README), on realistic data: a few
 * users, sessions on several devices and apps, refreshes, a refresh-token reuse, a force logout and a key
 * rotation. Runs only with TW_SCREENSHOTS=1:
 *   npx electron-vite build && TW_SCREENSHOTS=1 npx playwright test screenshots
 */
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import type { Warden } from './fixtures/warden';
import { LAPTOP, PHONE, TABLET, decodeAccessToken, type Device, type TokenSet } from './fixtures/oauth';
import { REPO_ROOT } from './fixtures/server-process';
import { assertBlastRadius } from './pages/confirm';
import { assertVerdict, inspectToken } from './pages/inspector';
import { activeKid, assertKeyStatus, rotateKey } from './pages/keys';
import { goToAudit, goToKeys, goToOverview, goToUsers } from './pages/navigation';
import { assertSession, clickForceLogout, clickSessionLink } from './pages/user-detail';
import { openUser } from './pages/users';

const OUT = path.join(REPO_ROOT, 'docs', 'screenshots');
const PASSWORD = 'correct horse battery staple';
const DESKTOP: Device = {
  name: 'MacBook Pro',
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
};
const CLI: Device = { name: 'Build server', userAgent: 'curl/8.5.0' };

test.describe('screenshots', () => {
  test.skip(process.env.TW_SCREENSHOTS !== '1', 'Screenshots are taken only with TW_SCREENSHOTS=1 (they rewrite docs/screenshots/*.png).');

  /** Every query settled: no spinner, no error. */
  async function settled(page: Page): Promise<void> {
    await expect(page.getByTestId('loading')).toHaveCount(0);
    await expect(page.getByTestId('error-alert')).toHaveCount(0);
    await expect(page.getByTestId('header-live')).toHaveAttribute('data-status', 'live');
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await settled(page);
    // Keep the pointer off tooltips and hovered rows.
    await page.mouse.move(0, 899);
    await page.screenshot({ path: path.join(OUT, `${name}.png`), animations: 'disabled', caret: 'hide' });
  }

  /** Users, apps and sessions on several devices; a few refreshes; one reused refresh token. */
  async function seed(warden: Warden) {
    const { driver, oauth } = warden;
    await driver.call('createClient', { clientId: 'web', kind: 'public', name: 'Notes for the web', grantTypes: ['password', 'refresh_token'] });
    await driver.call('createClient', { clientId: 'mobile', kind: 'public', name: 'Notes for iOS and Android', grantTypes: ['password', 'refresh_token'] });
    await driver.call('createClient', { clientId: 'billing-api', kind: 'confidential', name: 'Billing API', grantTypes: [] });
    const names = ['alice', 'bob', 'carol', 'dave.ops', 'erin', 'frank@example.com'];
    for (const username of names) await driver.call('createUser', { username, password: PASSWORD });
    const login = (username: string, clientId: string, device: Device) => oauth.login({ username, password: PASSWORD }, clientId, device);
    const refresh = async (tokens: TokenSet, clientId: string, device: Device): Promise<TokenSet> => {
      const reply = await oauth.refresh(tokens.refresh_token, clientId, device);
      if (reply.status !== 200) throw new Error(`refresh failed: ${JSON.stringify(reply.body)}`);
      return reply.body as unknown as TokenSet;
    };

    const alicePhone = await login('alice', 'mobile', PHONE);
    let aliceLaptop = await login('alice', 'web', LAPTOP);
    for (let i = 0; i < 3; i += 1) aliceLaptop = await refresh(aliceLaptop, 'web', LAPTOP);
    await login('alice', 'mobile', TABLET);
    const bobPhone = await login('bob', 'mobile', PHONE);
    const bobDesktop = await login('bob', 'web', DESKTOP);
    await login('carol', 'web', LAPTOP);
    const dave = await login('dave.ops', 'web', CLI);
    await refresh(dave, 'web', CLI);
    // A stolen refresh token replayed: reuse detection revokes dave's session.
    await oauth.refresh(dave.refresh_token, 'web', CLI);
    await login('frank@example.com', 'web', DESKTOP);
    await login('erin', 'mobile', TABLET);
    const { items } = await driver.call('listUsers', { search: 'erin' });
    await driver.call('blockUser', { userId: items[0]!.id, reason: 'Left the company' });
    return { alicePhone, aliceLaptop, bobPhone, bobDesktop };
  }

  test('capture the main views', async ({ warden }) => {
    test.setTimeout(120_000);
    const { page } = warden;
    await page.setViewportSize({ width: 1440, height: 900 });
    const seeded = await seed(warden);
    const laptopSid = decodeAccessToken(seeded.aliceLaptop.access_token).sid;

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
});
