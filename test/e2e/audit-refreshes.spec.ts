/**
 * Routine refreshes and the audit trail: off by default (each rotation is kept in the session's refresh
 * chain), switched on in Settings so that every refresh also becomes a hash-chained audit entry.
 */
import { test, expect } from './fixtures/warden';
import { LAPTOP, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { goToSettings } from './pages/navigation';
import { chooseSetting, saveSettings } from './pages/settings';
import { clickSessionLink } from './pages/user-detail';
import { createUser, openUser } from './pages/users';

const carol = { username: 'carol', password: 'sea-shell-lamp-7' };
const CLIENT = 'notes-app';

test('audit every routine refresh: switched on in Settings, the next refresh is an audited timeline entry', async ({ warden }) => {
  const { page, oauth } = warden;
  await createPublicClient(page, CLIENT, 'Notes app');
  await createUser(page, carol.username, carol.password);
  const login = await oauth.login(carol, CLIENT, LAPTOP);
  const quiet = await oauth.refresh(login.refresh_token, CLIENT, LAPTOP);
  expect(quiet.status).toBe(200);

  await test.step('switch it on', async () => {
    await goToSettings(page);
    await expect(page.getByTestId('settings-auditRefreshes')).toHaveText('Off');
    await chooseSetting(page, 'auditRefreshes', 'true');
    await saveSettings(page);
    await expect(page.getByTestId('settings-auditRefreshes')).toHaveText('On');
  });

  const loud = await oauth.refresh(String(quiet.body.refresh_token), CLIENT, LAPTOP);
  expect(loud.status).toBe(200);

  await test.step('the timeline shows the first refresh from the refresh chain, the second from the audit chain', async () => {
    await openUser(page, carol.username);
    await clickSessionLink(page, decodeAccessToken(login.access_token).sid);
    const rotations = page.getByTestId('session-timeline').locator('[data-type="session.refreshed"]');
    await expect(rotations).toHaveCount(2);
    await expect(rotations.nth(0)).toHaveAttribute('data-audited', 'false');
    await expect(rotations.nth(1)).toHaveAttribute('data-audited', 'true');
    // The user agent reads "Firefox 128 on Linux"; the raw header it came from is kept beside it.
    const usedBy = page.getByTestId('refresh-chain').locator('[data-testid^="refresh-used-by-"]').nth(1);
    await expect(usedBy).toContainText('Firefox 128 on Linux');
    await expect(usedBy.locator('[data-raw]')).toHaveAttribute('data-raw', LAPTOP.userAgent);
  });
});
