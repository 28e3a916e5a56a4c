/**
 * Client management as an owner lives it: a confidential client's secret rotated with an overlap (both secrets
 * work at the token endpoint during it; with no overlap the old one fails at once), its token lifetimes edited
 * and honoured by the next login, a public client disabled (its device is refused, its sessions end) and enabled,
 * and a client deleted behind a typed confirmation. The injected clock isn't available here, so "the old secret
 * fails after the overlap" is the overlap of 0; the engine tests cover the overlap's end with the clock.
 */
import { test, expect } from './fixtures/warden';
import { PHONE, type OAuthClient } from './fixtures/oauth';
import { assertReceipt, clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { clickCreateClient, createPublicClient, openClientPage, rotateSecret, takeShownSecret } from './pages/clients';
import { createUser } from './pages/users';

const ana = { username: 'ana', password: 'correct horse battery' };

/**
 * Whether the token endpoint accepts `secret` for the client: an authenticated client gets past client
 * authentication to the grant (a made-up refresh token: 400 invalid_grant); a wrong secret is 401 invalid_client.
 */
async function secretWorks(oauth: OAuthClient, clientId: string, secret: string): Promise<boolean> {
  const reply = await oauth.token({ grant_type: 'refresh_token', refresh_token: 'x'.repeat(43), client_id: clientId, client_secret: secret });
  if (reply.status === 401) {
    expect(reply.body.error).toBe('invalid_client');
    return false;
  }
  expect(reply).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  return true;
}

test('rotate a confidential client secret with an overlap, then with none', async ({ warden }) => {
  const { page, oauth, driver } = warden;
  let first = '';
  await test.step('an owner creates a confidential client; its secret is shown once and works', async () => {
    await page.getByTestId('nav-clients').click();
    await clickCreateClient(page);
    await page.getByTestId('create-client-id').fill('reports-api');
    await page.getByTestId('create-client-name').fill('Reports API');
    await page.getByTestId('create-client-kind-confidential').check();
    await page.getByTestId('create-client-submit').click();
    first = await takeShownSecret(page);
    expect(await secretWorks(oauth, 'reports-api', first)).toBe(true);
    expect(await secretWorks(oauth, 'reports-api', `${first}x`)).toBe(false);
  });

  let second = '';
  await test.step('rotating with a one-day overlap: the old and the new secret both work', async () => {
    await openClientPage(page, 'reports-api');
    await expect(page.getByTestId('client-previous-secret')).toHaveText('not accepted');
    second = await rotateSecret(page, 86_400, /keeps working until/);
    expect(second).not.toBe(first);
    expect(await secretWorks(oauth, 'reports-api', first)).toBe(true);
    expect(await secretWorks(oauth, 'reports-api', second)).toBe(true);
    await expect(page.getByTestId('client-previous-secret')).toContainText('accepted until');
  });

  await test.step('rotating with no overlap: only the newest secret works, at once', async () => {
    const third = await rotateSecret(page, 0, 'The previous secret no longer works.');
    expect(await secretWorks(oauth, 'reports-api', second)).toBe(false);
    expect(await secretWorks(oauth, 'reports-api', first)).toBe(false);
    expect(await secretWorks(oauth, 'reports-api', third)).toBe(true);
    await expect(page.getByTestId('client-previous-secret')).toHaveText('not accepted');
  });

  await test.step('each rotation is audited with its overlap, never with a secret', async () => {
    const audit = await driver.call('listAudit', { type: 'client.secret_rotated' });
    expect(audit.items.map((entry) => entry.data.overlapSeconds)).toEqual([0, 86_400]);
    expect(audit.items.every((entry) => entry.actor.startsWith('admin:'))).toBe(true);
    expect(JSON.stringify(audit.items)).not.toContain(second);
  });
});

test('edit a client’s lifetimes, disable it (its device is refused), enable it, then delete it', async ({ warden }) => {
  const { page, oauth } = warden;
  await createUser(page, ana.username, ana.password);
  await createPublicClient(page, 'notes', 'Notes');

  await test.step('a two-minute access-token lifetime set in the edit dialog applies to the next login', async () => {
    await openClientPage(page, 'notes');
    await page.getByTestId('client-action-edit').click();
    await page.getByTestId('edit-client-accessTokenTtlSeconds').fill('2 minutes');
    await page.getByTestId('edit-client-submit').click();
    await expect(page.getByTestId('edit-client-lifetime-accessTokenTtlSeconds-help')).toHaveText('A whole number of seconds, or empty for the install setting');
    await page.getByTestId('edit-client-accessTokenTtlSeconds').fill('120');
    await expect(page.getByTestId('edit-client-lifetime-accessTokenTtlSeconds-help')).toHaveText('2 min');
    await page.getByTestId('edit-client-submit').click();
    await expect(page.getByTestId('edit-client-dialog')).toBeHidden();
    await expect(page.getByTestId('client-access-ttl')).toHaveText('2 min (120 s)');
    const tokens = await oauth.login(ana, 'notes', PHONE);
    expect(tokens.expires_in).toBe(120);
    await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '1');
  });

  await test.step('disabling ends its live session and refuses its device until it is enabled', async () => {
    const phone = await oauth.login(ana, 'notes', PHONE);
    await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '2');
    await page.getByTestId('client-action-disable').click();
    await expect(page.getByTestId('confirm-description')).toContainText('2 live sessions end now');
    await fillConfirmReason(page, 'suspicious traffic');
    await clickConfirm(page);
    await assertReceipt(page, { reason: 'suspicious traffic', sessionsRevoked: 2 });
    await closeReceipt(page);
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-status', 'disabled');
    await expect(page.getByTestId('client-disabled-banner')).toContainText('suspicious traffic');
    await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '0');
    const refreshed = await oauth.refresh(phone.refresh_token, 'notes', PHONE);
    expect(refreshed).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    await expect(oauth.login(ana, 'notes', PHONE)).rejects.toThrow(/401/);

    await page.getByTestId('client-action-enable').click();
    await clickConfirm(page);
    await expect(page.getByTestId('receipt')).toBeVisible();
    await closeReceipt(page);
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-status', 'active');
    await expect(oauth.login(ana, 'notes', PHONE)).resolves.toHaveProperty('access_token');
  });

  await test.step('deleting needs the id typed; afterwards the client is gone from the list and refused', async () => {
    await page.getByTestId('client-action-delete').click();
    await expect(page.getByTestId('delete-client-submit')).toBeDisabled();
    await page.getByTestId('delete-client-confirm').fill('note');
    await expect(page.getByTestId('delete-client-submit')).toBeDisabled();
    await page.getByTestId('delete-client-confirm').fill('notes');
    await page.getByTestId('delete-client-submit').click();
    await expect(page.getByTestId('client-deleted')).toBeVisible();
    await page.getByTestId('nav-clients').click();
    await expect(page.getByTestId('client-row-notes')).toHaveCount(0);
    const reply = await oauth.token({ grant_type: 'password', username: ana.username, password: ana.password, client_id: 'notes' }, PHONE.userAgent);
    expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });
});
