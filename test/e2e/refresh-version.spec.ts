/**
 * Bumping a user's refresh version: every refresh token they hold stops working at the next refresh,
 * while access tokens already issued live out their short lifetime.
 */
import { test, expect } from './fixtures/warden';
import { PHONE, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { assertVerdict, inspectToken } from './pages/inspector';
import { assertRefreshVersion, clickBumpRefreshVersion, clickSessionLink } from './pages/user-detail';
import { createUser, openUser } from './pages/users';

const bob = { username: 'bob', password: 'tr0ub4dor&3-long' };
const CLIENT = 'mail-app';

test('bump refresh version: the next refresh fails with invalid_grant', async ({ warden }) => {
  const { page, oauth } = warden;
  await createPublicClient(page, CLIENT, 'Mail app');
  await createUser(page, bob.username, bob.password);
  await openUser(page, bob.username);
  const before = Number(await page.getByTestId('user-refresh-version').textContent());

  const login = await oauth.login(bob, CLIENT, PHONE);
  const rotated = await oauth.refresh(login.refresh_token, CLIENT, PHONE);
  expect(rotated.status, 'a refresh works before the bump').toBe(200);
  const refreshToken = String(rotated.body.refresh_token);
  const accessToken = String(rotated.body.access_token);

  await test.step('bump through the console, with a receipt', async () => {
    await clickBumpRefreshVersion(page);
    await expect(page.getByTestId('blast-radius-refresh-families')).toHaveText('1');
    await fillConfirmReason(page, 'Password changed');
    await clickConfirm(page);
    await expect(page.getByTestId('receipt')).toBeVisible();
    await expect(page.getByTestId('receipt-reason')).toHaveText('Password changed');
    await closeReceipt(page);
    await assertRefreshVersion(page, before + 1);
  });

  await test.step('the next refresh fails', async () => {
    const reply = await oauth.refresh(refreshToken, CLIENT, PHONE);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_grant');
  });

  await test.step('the access token already issued is still active until it expires', async () => {
    await inspectToken(page, accessToken);
    await assertVerdict(page, 'active', null);
  });

  await test.step("the session's lifecycle shows the refresh, read back from the refresh chain with who presented it", async () => {
    await openUser(page, bob.username);
    await clickSessionLink(page, decodeAccessToken(login.access_token).sid);
    const rotation = page.getByTestId('session-timeline').locator('[data-type="session.refreshed"]');
    await expect(rotation).toHaveCount(1);
    await expect(rotation, 'routine refreshes are not audited by default').toHaveAttribute('data-audited', 'false');
    await expect(rotation).toContainText('refresh chain (not audited)');
    await expect(page.getByTestId('refresh-chain').locator('[data-testid^="refresh-used-by-"]').first()).toContainText(PHONE.userAgent);
  });
});
