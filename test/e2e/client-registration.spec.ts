/**
 * Registering an app that signs in through the hosted page, and changing its registration: the dialog shows the
 * server's verdict under the field it concerns and keeps what was typed; the password grant is off until an
 * admin ticks it, and a device's next password login follows the change.
 */
import { test, expect } from './fixtures/warden';
import { PHONE } from './fixtures/oauth';
import { assertClientGrants, assertClientRow, assertFieldError, clickCreateClient, clickEditClient, fillRedirectUris } from './pages/clients';
import { goToClients } from './pages/navigation';
import { createUser } from './pages/users';

const ana = { username: 'ana', password: 'correct horse battery' };

test('register a client with its redirect URI, then edit it to allow the password grant', async ({ warden }) => {
  const { page, oauth, driver } = warden;
  await createUser(page, ana.username, ana.password);
  await goToClients(page);

  await test.step('a redirect URI with a fragment is refused under its field; the corrected one is registered', async () => {
    await clickCreateClient(page);
    await page.getByTestId('create-client-id').fill('notes');
    await page.getByTestId('create-client-name').fill('Notes');
    await expect(page.getByTestId('create-client-grant-password')).not.toBeChecked();
    await fillRedirectUris(page, 'create-client', ['https://notes.example.com/callback#done']);
    await page.getByTestId('create-client-submit').click();
    await assertFieldError(page, 'create-client', 'redirect-uris', 'https://notes.example.com/callback#done: no fragment (#)');
    await expect(page.getByTestId('create-client-dialog')).toBeVisible();
    await fillRedirectUris(page, 'create-client', ['https://notes.example.com/callback']);
    await page.getByTestId('create-client-submit').click();
    await expect(page.getByTestId('create-client-dialog')).toBeHidden();
    await assertClientRow(page, 'notes', 'public');
    await assertClientGrants(page, 'notes', ['authorization_code', 'refresh_token']);
    await expect(page.getByTestId('client-redirect-uris-notes')).toHaveText('https://notes.example.com/callback');
  });

  await test.step('the password grant is refused for it', async () => {
    const reply = await oauth.token({ grant_type: 'password', username: ana.username, password: ana.password, client_id: 'notes' }, PHONE.userAgent);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('unauthorized_client');
  });

  await test.step('edit: a plain-http back-channel URI is refused; an https one and the password grant are saved', async () => {
    await clickEditClient(page, 'notes');
    await expect(page.getByTestId('edit-client-name')).toHaveValue('Notes');
    await fillRedirectUris(page, 'edit-client', ['https://notes.example.com/callback', 'http://127.0.0.1:4000/callback']);
    await page.getByTestId('edit-client-backchannel-uri').fill('http://notes.example.com/backchannel-logout');
    await page.getByTestId('edit-client-grant-password').check();
    await page.getByTestId('edit-client-submit').click();
    await assertFieldError(page, 'edit-client', 'backchannel-uri', /must use https/);
    await page.getByTestId('edit-client-backchannel-uri').fill('https://notes.example.com/backchannel-logout');
    await page.getByTestId('edit-client-submit').click();
    await expect(page.getByTestId('edit-client-dialog')).toBeHidden();
    await assertClientGrants(page, 'notes', ['authorization_code', 'refresh_token', 'password']);
    await expect(page.getByTestId('client-redirect-uris-notes')).toContainText('http://127.0.0.1:4000/callback');
  });

  await test.step('the next password login works, and the change is audited with what it changed', async () => {
    await expect(oauth.login(ana, 'notes', PHONE)).resolves.toHaveProperty('access_token');
    const audit = await driver.call('listAudit', { type: 'client.updated' });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]?.data).toMatchObject({
      clientId: 'notes',
      changes: {
        redirectUris: { from: ['https://notes.example.com/callback'], to: ['https://notes.example.com/callback', 'http://127.0.0.1:4000/callback'] },
        backchannelLogoutUri: { from: null, to: 'https://notes.example.com/backchannel-logout' },
        grantTypes: { from: ['authorization_code', 'refresh_token'], to: ['authorization_code', 'refresh_token', 'password'] },
      },
    });
  });
});
