/**
 * User management as an administrator lives it: give a user a profile and find them by it, reset their
 * password (the user then signs in with the new one through the token endpoint, the old one is refused and
 * their old session is gone), unlock them after they locked themselves out, and finally delete them.
 */
import { test, expect } from './fixtures/warden';
import { PHONE, decodeAccessToken } from './fixtures/oauth';
import { createPublicClient } from './pages/clients';
import { goToUsers } from './pages/navigation';
import { assertSession } from './pages/user-detail';
import { createUser, openUser } from './pages/users';
import { assertUserStatus, closeSetPassword, deleteUser, editProfile, searchUsers, setPassword } from './pages/users-admin';

const CLIENT = 'payroll-app';
const maria = { username: 'maria', password: 'first password 1' };
const NEW_PASSWORD = 'second password 2';

test('an admin edits a profile, resets a password, unlocks a locked user and deletes them', async ({ warden }) => {
  // Five stories in one (each sign-in is a scrypt check on a shared 2-core machine): more than the default 30 s.
  test.setTimeout(120_000);
  const { page, oauth } = warden;
  const login = (password: string) =>
    oauth.token({ grant_type: 'password', username: maria.username, password, client_id: CLIENT, device_name: PHONE.name }, PHONE.userAgent);

  await createPublicClient(page, CLIENT, 'Payroll');
  await createUser(page, maria.username, maria.password);
  await createUser(page, 'marek', 'another password');
  const userId = await openUser(page, maria.username);

  await test.step('a profile: display name, email, an attribute; the search finds her by any part of them', async () => {
    await editProfile(page, { displayName: 'Maria Costa', email: 'maria.costa@corp.example', attributes: { team: 'finance' } });
    await expect(page.getByTestId('user-display-name')).toHaveText('Maria Costa');
    await expect(page.getByTestId('user-email')).toHaveText('maria.costa@corp.example');
    await expect(page.getByTestId('user-attribute-team')).toHaveText('team = finance');
    await goToUsers(page);
    await searchUsers(page, 'COSTA');
    await expect(page.getByTestId('users-total')).toHaveText('1 user');
    await expect(page.getByTestId(`user-row-${maria.username}`)).toBeVisible();
    await searchUsers(page, 'corp.exa');
    await expect(page.getByTestId(`user-row-${maria.username}`)).toBeVisible();
    await expect(page.getByTestId('user-row-marek')).toBeHidden();
    // Two characters match the start of a username: both.
    await searchUsers(page, 'ma');
    await expect(page.getByTestId('users-total')).toHaveText('2 users');
    await searchUsers(page, '');
  });

  const old = await oauth.login(maria, CLIENT, PHONE);
  const oldSid = decodeAccessToken(old.access_token).sid;

  await test.step('reset the password: her old session ends, the old password is refused, the new one works', async () => {
    await openUser(page, maria.username);
    await assertSession(page, oldSid, PHONE.name, 'active');
    await setPassword(page, NEW_PASSWORD);
    await expect(page.getByTestId('receipt-sessions')).toContainText('1');
    await closeSetPassword(page);
    await assertSession(page, oldSid, PHONE.name, 'revoked');
    expect((await login(maria.password)).status).toBe(400);
    const fresh = await oauth.login({ username: maria.username, password: NEW_PASSWORD }, CLIENT, PHONE);
    expect(decodeAccessToken(fresh.access_token).sub).toBe(userId);
  });

  await test.step('five wrong passwords lock her: the page says locked, until when, and 5 failed logins', async () => {
    for (let i = 0; i < 5; i += 1) expect((await login(`wrong guess ${i}`)).status).toBe(400);
    await assertUserStatus(page, 'locked');
    await expect(page.getByTestId('user-failed-logins')).toHaveText('5');
    await expect(page.getByTestId('user-locked-until')).toBeVisible();
    const refused = await login(NEW_PASSWORD);
    expect(refused.status).toBe(429);
  });

  await test.step('unlock: she signs in with her password at once', async () => {
    await page.getByTestId('action-unlock').click();
    await assertUserStatus(page, 'active');
    await expect(page.getByTestId('user-failed-logins')).toHaveText('0');
    await expect(page.getByTestId('action-unlock')).toBeDisabled();
    expect((await login(NEW_PASSWORD)).status).toBe(200);
  });

  await test.step('delete: typed confirmation, sessions revoked in the receipt, gone from Users, audit kept', async () => {
    await deleteUser(page, maria.username);
    await page.getByTestId('delete-user-done').click();
    await expect(page.getByTestId('create-user-open')).toBeVisible();
    await expect(page.getByTestId('user-row-marek')).toBeVisible();
    await expect(page.getByTestId(`user-row-${maria.username}`)).toBeHidden();
    expect((await login(NEW_PASSWORD)).status).toBe(400);
    const audit = await warden.driver.call('listAudit', { type: 'user.deleted' });
    expect(audit.items).toEqual([expect.objectContaining({ userId, data: expect.objectContaining({ username: maria.username }) })]);
  });
});
