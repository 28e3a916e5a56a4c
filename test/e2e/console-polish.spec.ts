/**
 * The defects a new admin met in the console, each as the admin would meet it: a skip link, a navigation
 * that collapses at 150 % zoom, absolute times reachable by keyboard, readable user agents, whole ids with
 * a copy button, an inspector that says what is true, a key revocation that does not read "Devices (0)", an
 * Overview reuse count that opens the alerts, and Settings that speak in units and plain words and ask
 * before dropping edits.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import { LAPTOP, decodeAccessToken } from './fixtures/oauth';
import { seed } from './fixtures/seed';
import { goToKeys, goToOverview, goToSettings } from './pages/navigation';
import { activeKid } from './pages/keys';
import { openView } from './pages/views';

async function fillSetting(page: Page, key: string, amount: string, unit?: 'seconds' | 'minutes' | 'hours' | 'days'): Promise<void> {
  if (unit) {
    await page.getByTestId(`settings-${key}-unit`).click();
    await page.getByTestId(`settings-${key}-unit-${unit}`).click();
  }
  await page.getByTestId(`settings-${key}`).fill(amount);
}

async function assertSettingMessage(page: Page, key: string, severity: 'error' | 'warning', text: string): Promise<void> {
  const help = page.getByTestId(`settings-${key}-help`);
  await expect(help).toHaveAttribute('data-severity', severity);
  await expect(help).toHaveText(text);
}

test('keyboard: the skip link is the first stop and lands on the page; times show their absolute value on focus', async ({ warden }) => {
  const { page } = warden;
  const seeded = await seed(warden);
  await openView(page, { name: 'session', hash: `#/sessions/${seeded.laptopSid}` });
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('skip-link')).toBeFocused();
  await expect(page.getByTestId('skip-link')).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();

  // The first time on the page (Signed in), reached by Tab, says when in absolute terms with its zone.
  const firstTime = page.locator('main time').first();
  for (let press = 0; press < 30 && !(await firstTime.evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement)); press += 1) {
    await page.keyboard.press('Tab');
  }
  await expect(firstTime).toBeFocused();
  const absolute = await firstTime.getAttribute('data-absolute');
  expect(absolute).toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  await expect(page.getByRole('tooltip')).toHaveText(absolute!);
  expect(absolute).toMatch(/UTC|GMT|[A-Z]{2,5}/);
});

test('a session reads its user agent as browser and system, the raw header on demand, and ids whole with copy', async ({ warden }) => {
  const { page } = warden;
  const seeded = await seed(warden);
  await openView(page, { name: 'session', hash: `#/sessions/${seeded.laptopSid}` });
  await expect(page.getByTestId('session-user-agent')).toContainText('Firefox 128 on Linux');
  await expect(page.getByTestId('session-user-agent-raw')).toHaveText(LAPTOP.userAgent);
  await expect(page.getByTestId('session-id')).toHaveText(seeded.laptopSid);
  await expect(page.getByTestId('session-id-copy')).toBeVisible();
  await expect(page.getByTestId('session-client')).toHaveAttribute('href', '#/clients/web');

  // The key of an access token opens the Keys page on that key's row.
  const { jti } = decodeAccessToken(seeded.aliceLaptop.access_token);
  const kid = (JSON.parse(Buffer.from(seeded.aliceLaptop.access_token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }).kid;
  await page.getByTestId(`access-token-row-${jti}`).getByRole('link', { name: kid }).click();
  await expect(page.getByTestId(`key-row-${kid}`)).toHaveAttribute('data-highlighted', 'true');
});

test('at 150 % zoom (960 CSS px) the navigation is collapsed to icons and expands and collapses with its button', async ({ warden }) => {
  const { page } = warden;
  await page.setViewportSize({ width: 960, height: 600 });
  const drawer = page.getByTestId('nav-drawer');
  await expect(drawer).toHaveAttribute('data-collapsed', 'true');
  await expect(page.getByTestId('nav-users')).toHaveAccessibleName('Users');
  await page.getByTestId('nav-collapse').click();
  await expect(drawer).toHaveAttribute('data-collapsed', 'false');
  await expect(page.getByTestId('nav-users')).toContainText('Users');
  await page.getByTestId('nav-collapse').click();
  await expect(drawer).toHaveAttribute('data-collapsed', 'true');
  await expect(page.getByTestId('nav-users')).not.toContainText('Users');
});

test('the inspector strips a pasted Bearer and never says a refresh token is for resource servers', async ({ warden }) => {
  const { page } = warden;
  const seeded = await seed(warden);
  await openView(page, { name: 'inspector', hash: '#/inspector' });
  await page.getByTestId('inspector-input').fill(`Bearer ${seeded.aliceLaptop.access_token}`);
  await page.getByTestId('inspector-submit').click();
  await expect(page.getByTestId('inspector-bearer-stripped')).toBeVisible();
  await expect(page.getByTestId('inspector-verdict')).toHaveAttribute('data-status', 'active');
  await expect(page.getByTestId('inspector-reason')).toHaveText('The access token is active: a resource server would accept it.');
  await expect(page.getByTestId('inspector-session-link')).toHaveText(seeded.laptopSid);

  await expect(page.getByTestId('inspector-session-status')).toHaveAttribute('data-status', 'active');

  // A revoked session's token names the session as revoked (it read "open session").
  const phoneSid = decodeAccessToken(seeded.alicePhone.access_token).sid;
  await warden.driver.call('revokeSession', { sessionId: phoneSid, reason: 'lost phone' });
  await page.getByTestId('inspector-input').fill(seeded.alicePhone.access_token);
  await page.getByTestId('inspector-submit').click();
  await expect(page.getByTestId('inspector-session-status')).toHaveAttribute('data-status', 'revoked');
  await expect(page.getByTestId('inspector-session-link')).toHaveText(phoneSid);

  await page.getByTestId('inspector-input').fill(seeded.aliceLaptop.refresh_token);
  await page.getByTestId('inspector-submit').click();
  await expect(page.getByTestId('inspector-kind')).toHaveAttribute('data-kind', 'refresh_token');
  await expect(page.getByTestId('inspector-reason')).not.toContainText('resource server would accept');
});

test('revoking a key names what it affects instead of "Devices (0)"; the Overview reuse count opens the alerts', async ({ warden }) => {
  const { page } = warden;
  await seed(warden);
  await goToKeys(page);
  const kid = await activeKid(page);
  await page.getByTestId(`key-revoke-${kid}`).click();
  const heading = page.getByTestId('blast-radius-devices-heading');
  await expect(heading).toBeVisible();
  await expect(heading).not.toHaveText(/\(0\)/);
  await expect(heading).toContainText(/stay signed in/);
  await page.getByTestId('confirm-cancel').click();

  await goToOverview(page);
  await expect(page.getByTestId('stat-reuseAlerts')).toHaveText('1');
  await page.getByTestId('stat-reuseAlerts-link').click();
  await expect(page).toHaveURL(/#\/alerts$/);
});

test('Settings: durations in units, limits and cross-field rules beside the field in plain words, and leaving asks', async ({ warden }) => {
  const { page, driver } = warden;
  await goToSettings(page);

  await test.step('a duration is typed in the unit chosen, and saved in seconds', async () => {
    await expect(page.getByTestId('settings-idleSeconds-unit')).toHaveText('hours');
    await fillSetting(page, 'idleSeconds', '3');
    await page.getByTestId('settings-save').click();
    await expect(page.getByTestId('settings-saved')).toBeVisible();
    expect((await driver.call('getSettings', {})).idleSeconds).toBe(3 * 3600);
  });

  await test.step('a limit is said in words, at once, and Save waits', async () => {
    await fillSetting(page, 'accessTokenTtlSeconds', '0');
    await assertSettingMessage(page, 'accessTokenTtlSeconds', 'error', 'At least 1 second.');
    await expect(page.getByTestId('settings-save')).toBeDisabled();
    await fillSetting(page, 'accessTokenTtlSeconds', '10');
  });

  await test.step('remember-me idle shorter than the normal one is said beside it, without internal names', async () => {
    await fillSetting(page, 'rememberMeIdleSeconds', '1', 'hours');
    await assertSettingMessage(page, 'rememberMeIdleSeconds', 'warning', 'Shorter than the normal idle timeout (3 hours): ticking “remember me” would sign users out sooner.');
    await fillSetting(page, 'idleSeconds', '13');
    await assertSettingMessage(page, 'idleSeconds', 'error', "Can't be longer than the session absolute lifetime (12 hours).");
    await expect(page.getByTestId('settings-save')).toBeDisabled();
  });

  await test.step('following a link with unsaved edits asks; staying keeps them, leaving drops them', async () => {
    await page.getByTestId('nav-users').click();
    await expect(page.getByTestId('settings-leave-dialog')).toBeVisible();
    await page.getByTestId('settings-leave-stay').click();
    await expect(page.getByTestId('settings-leave-dialog')).toBeHidden();
    await expect(page.getByTestId('settings-idleSeconds')).toHaveValue('13');
    await page.getByTestId('nav-users').click();
    await page.getByTestId('settings-leave-discard').click();
    await expect(page.getByTestId('nav-users')).toHaveAttribute('aria-current', 'page');
    await goToSettings(page);
    await expect(page.getByTestId('settings-idleSeconds')).toHaveValue('3');
    expect((await driver.call('getSettings', {})).idleSeconds).toBe(3 * 3600);
  });
});
