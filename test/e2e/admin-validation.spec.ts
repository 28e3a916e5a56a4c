/**
 * Admin inputs are schema-validated at the boundary (HTTP in browser mode, IPC in Electron mode): a malformed
 * call gets a stable error code and changes nothing — no user, no session change, no audit entry.
 */
import { test, expect } from './fixtures/warden';
import type { WardenDriver } from './fixtures/driver';
import { PHONE } from './fixtures/oauth';
import { assertUserRow, clickCreateUser, fillCreateUserForm } from './pages/users';
import { goToUsers } from './pages/navigation';

/** Everything a bad call could have touched. */
async function snapshot(driver: WardenDriver) {
  const [users, sessions, audit, chain, keys] = await Promise.all([
    driver.call('listUsers', { limit: 500 }),
    driver.call('listSessions', { limit: 500 }),
    driver.call('listAudit', { limit: 500 }),
    driver.call('verifyAuditChain', {}),
    driver.call('listKeys', {}),
  ]);
  return {
    users: users.items.map((user) => `${user.username}:${user.status}`),
    sessions: sessions.items.map((session) => `${session.id}:${session.status}`),
    auditSeqs: audit.items.map((entry) => entry.seq),
    chain,
    keys: keys.map((key) => `${key.kid}:${key.status}`),
  };
}

test('malformed admin calls get a coded error and change nothing', async ({ warden }) => {
  const { driver, oauth } = warden;
  const info = await driver.info();
  expect(info.issuer).toBe(warden.issuer);
  expect(info.mode).toBe(warden.mode);
  const { id: userId } = await driver.call('createUser', { username: 'dave', password: 'long enough secret' });
  await driver.call('createClient', { clientId: 'cli', kind: 'public', name: 'CLI', grantTypes: ['password', 'refresh_token'] });
  await oauth.login({ username: 'dave', password: 'long enough secret' }, 'cli', PHONE);
  const before = await snapshot(driver);
  expect(before.sessions).toHaveLength(1);

  const cases: Array<{ what: string; method: string; input: unknown; code: string }> = [
    { what: 'username with a space, short password', method: 'createUser', input: { username: 'bad name!', password: 'short' }, code: 'invalid_input' },
    { what: 'an unknown extra field', method: 'createUser', input: { username: 'eve', password: 'long enough secret', admin: true }, code: 'invalid_input' },
    { what: 'a number where an id belongs', method: 'forceLogout', input: { userId: 42 }, code: 'invalid_input' },
    { what: 'no input at all', method: 'blockUser', input: null, code: 'invalid_input' },
    { what: 'a reason over 500 characters', method: 'forceLogout', input: { userId, reason: 'x'.repeat(501) }, code: 'invalid_input' },
    { what: 'a signing algorithm we do not offer', method: 'rotateSigningKey', input: { alg: 'HS256' }, code: 'invalid_input' },
    { what: 'a method that does not exist', method: 'dropAllTables', input: {}, code: 'unknown_method' },
  ];
  for (const bad of cases) {
    await test.step(bad.what, async () => {
      const result = await driver.callRaw(bad.method, bad.input);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.code).toBe(bad.code);
        expect(result.error.message.length).toBeGreaterThan(0);
        expect(result.error.message).not.toMatch(/at .+\.ts:\d+|ZodError|SQLITE/);
      }
    });
  }

  if (driver.postRawBody) {
    const postRawBody = driver.postRawBody;
    await test.step('HTTP: a body that is not JSON', async () => {
      const { status, result } = await postRawBody('createUser', '{"username": "mallory", "password": ');
      expect(status).toBe(400);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('invalid_input');
    });
  }

  expect(await snapshot(driver)).toEqual(before);
});

test('the create-user form shows the server validation under each field and creates nothing', async ({ warden }) => {
  const { page, driver } = warden;
  await driver.call('createUser', { username: 'erin', password: 'long enough secret' });
  await goToUsers(page);
  await assertUserRow(page, 'erin', 0);

  await clickCreateUser(page);
  await fillCreateUserForm(page, 'not valid!', 'short');
  await page.getByTestId('create-user-submit').click();
  await expect(page.getByTestId('create-user-username-help')).toContainText('letters, digits');
  await expect(page.getByTestId('create-user-password-help')).toContainText('8');
  await expect(page.getByTestId('create-user-dialog')).toBeVisible();

  await fillCreateUserForm(page, 'erin', 'long enough secret');
  await page.getByTestId('create-user-submit').click();
  await expect(page.getByTestId('create-user-username-help')).toHaveText('The username "erin" is taken.');
  await page.getByTestId('create-user-cancel').click();
  await expect(page.getByTestId('users-total')).toHaveText('1 user');
  expect((await driver.call('listUsers', {})).total).toBe(1);
});
