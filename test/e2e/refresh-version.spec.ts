/**
 * Bumping a user's refresh version: every refresh token they hold stops working at the next refresh,
 * while access tokens already issued live out their short lifetime. The dialog and its blast radius say
 * exactly that (they contradicted each other), and afterwards the session reads "can't refresh", not active.
 */
import { test, expect } from './fixtures/warden';
import { PHONE, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { assertVerdict, inspectToken } from './pages/inspector';
import { assertRefreshVersion, assertSession, clickBumpRefreshVersion, clickSessionLink } from './pages/user-detail';
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

  const sid = decodeAccessToken(login.access_token).sid;
  await assertSession(page, sid, PHONE.name, 'active');

  await test.step('bump through the console: the dialog and its blast radius say the same thing, then a receipt', async () => {
    await clickBumpRefreshVersion(page);
    await expect(page.getByTestId('blast-radius-refresh-families')).toHaveText('1');
    await expect(page.getByTestId('confirm-description')).toContainText('every refresh token of this user is revoked');
    await expect(page.getByTestId('confirm-description')).toContainText('Not revoked: the access tokens already issued keep working until they expire');
    await expect(page.getByTestId('blast-radius-devices-heading')).toHaveText('Sessions that can no longer refresh (1)');
    // The access tokens counted are the ones that live on: nothing says the feed drops them.
    const note = page.getByTestId('blast-radius-tokens-note');
    await expect(note).toHaveAttribute('data-fate', 'live_to_exp');
    await expect(note).toContainText('not revoked');
    await expect(note).not.toContainText('drop');
    await fillConfirmReason(page, 'Password changed');
    await clickConfirm(page);
    await expect(page.getByTestId('receipt')).toBeVisible();
    await expect(page.getByTestId('receipt-reason')).toHaveText('Password changed');
    await closeReceipt(page);
    await assertRefreshVersion(page, before + 1);
  });

  await test.step("the session reads can't refresh (it is still open: it can be revoked)", async () => {
    await assertSession(page, sid, PHONE.name, 'cant_refresh');
    await expect(page.getByTestId(`session-status-${sid}`)).toHaveText("can't refresh");
    await expect(page.getByTestId(`session-revoke-${sid}`)).toBeEnabled();
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
    await clickSessionLink(page, sid);
    const rotation = page.getByTestId('session-timeline').locator('[data-type="session.refreshed"]');
    await expect(rotation).toHaveCount(1);
    await expect(rotation, 'routine refreshes are not audited by default').toHaveAttribute('data-audited', 'false');
    await expect(rotation).toContainText('refresh chain (not audited)');
    // Shown by name ("Safari 17 on iOS 17.5"), the raw header on demand.
    const usedBy = page.getByTestId('refresh-chain').locator('[data-testid^="refresh-used-by-"]').first();
    await expect(usedBy.locator('[data-raw]')).toHaveAttribute('data-raw', PHONE.userAgent);
  });
});
