/**
 * Client management as an owner lives it: a confidential client's secret rotated with an overlap (both secrets
 * work at the token endpoint during it; with no overlap the old one fails at once), a client's token lifetime edited
 * and honoured by the next login, a public client disabled (its device is refused, its sessions end) and enabled,
 * and a client deleted behind a typed confirmation. Each story has its own service. The injected clock isn't available here, so "the old secret
 * fails after the overlap" is the overlap of 0; the engine tests cover the overlap's end with the clock.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { WardenDriver } from './fixtures/driver';
import { test, expect } from './fixtures/warden';
import { PHONE, type OAuthClient } from './fixtures/oauth';
import { assertReceipt, clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { clickCreateClient, createPublicClient, openClientPage, rotateSecret, takeShownSecret } from './pages/clients';
import { createUser } from './pages/users';

const ana = { username: 'ana', password: 'correct horse battery' };

/** Serious and critical axe findings in the page's main region (the shell has a11y.spec.ts). */
async function seriousAxeFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include('main').analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

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
  test.slow(); // stories of several steps, each a round trip through the console: 90 s on a loaded machine
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
    // The client page with a confidential client's facts, a previous secret and its actions: nothing serious for axe.
    expect(await seriousAxeFindings(page)).toEqual([]);
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

/** ana and a public client with the password grant, made through the admin API (the console is for what is tested). */
async function seedPublicClient(driver: WardenDriver, clientId: string, name: string): Promise<void> {
  await driver.call('createUser', ana);
  await driver.call('createClient', { clientId, kind: 'public', name, grantTypes: ['password', 'refresh_token'] });
}

test('a client’s access-token lifetime, edited in the dialog, applies to its next login', async ({ warden }) => {
  test.slow(); // stories of several steps, each a round trip through the console: 90 s on a loaded machine
  const { page, oauth } = warden;
  await createUser(page, ana.username, ana.password);
  await createPublicClient(page, 'notes', 'Notes');
  await openClientPage(page, 'notes');
  await page.getByTestId('client-action-edit').click();
  await test.step('a lifetime that is not a number of seconds is refused beside its field, in plain words', async () => {
    await page.getByTestId('edit-client-accessTokenTtlSeconds').fill('2 minutes');
    await page.getByTestId('edit-client-submit').click();
    await expect(page.getByTestId('edit-client-lifetime-accessTokenTtlSeconds-help')).toHaveText('A whole number of seconds, or empty for the install setting');
  });
  await test.step('120 seconds is saved and the next login gets a two-minute access token', async () => {
    await page.getByTestId('edit-client-accessTokenTtlSeconds').fill('120');
    await expect(page.getByTestId('edit-client-lifetime-accessTokenTtlSeconds-help')).toHaveText('2 min');
    await page.getByTestId('edit-client-submit').click();
    await expect(page.getByTestId('edit-client-dialog')).toBeHidden();
    await expect(page.getByTestId('client-access-ttl')).toHaveText('2 min (120 s)');
    const tokens = await oauth.login(ana, 'notes', PHONE);
    expect(tokens.expires_in).toBe(120);
    await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '1');
  });
});

test('disable a client: its sessions end and its device is refused until it is enabled', async ({ warden }) => {
  test.slow(); // stories of several steps, each a round trip through the console: 90 s on a loaded machine
  const { page, oauth, driver } = warden;
  await seedPublicClient(driver, 'notes', 'Notes');
  const phone = await oauth.login(ana, 'notes', PHONE);
  await oauth.login(ana, 'notes', PHONE);
  await openClientPage(page, 'notes');
  await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '2');

  await test.step('disabling ends both live sessions, with a receipt', async () => {
    await page.getByTestId('client-action-disable').click();
    await expect(page.getByTestId('confirm-description')).toContainText('2 live sessions end now');
    await fillConfirmReason(page, 'suspicious traffic');
    await clickConfirm(page);
    await assertReceipt(page, { reason: 'suspicious traffic', sessionsRevoked: 2 });
    await closeReceipt(page);
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-status', 'disabled');
    await expect(page.getByTestId('client-disabled-banner')).toContainText('suspicious traffic');
    await expect(page.getByTestId('client-live-sessions')).toHaveAttribute('data-count', '0');
    expect(await seriousAxeFindings(page)).toEqual([]);
  });

  await test.step('while disabled its refresh and its logins are refused', async () => {
    const refreshed = await oauth.refresh(phone.refresh_token, 'notes', PHONE);
    expect(refreshed).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    await expect(oauth.login(ana, 'notes', PHONE)).rejects.toThrow(/401/);
  });

  await test.step('enabled again, a new login works', async () => {
    await page.getByTestId('client-action-enable').click();
    await clickConfirm(page);
    await expect(page.getByTestId('receipt')).toBeVisible();
    await closeReceipt(page);
    await expect(page.getByTestId('client-status')).toHaveAttribute('data-status', 'active');
    await expect(oauth.login(ana, 'notes', PHONE)).resolves.toHaveProperty('access_token');
  });
});

test('delete a client behind its typed id: gone from the list, refused at the token endpoint', async ({ warden }) => {
  test.slow(); // stories of several steps, each a round trip through the console: 90 s on a loaded machine
  const { page, oauth, driver } = warden;
  await seedPublicClient(driver, 'notes', 'Notes');
  await oauth.login(ana, 'notes', PHONE);
  await openClientPage(page, 'notes');
  await page.getByTestId('client-action-delete').click();
  await expect(page.getByTestId('delete-client-description')).toContainText('Its 1 live session');
  await expect(page.getByTestId('delete-client-submit')).toBeDisabled();
  await page.getByTestId('delete-client-confirm').fill('note');
  await expect(page.getByTestId('delete-client-submit')).toBeDisabled();
  await page.getByTestId('delete-client-confirm').fill('notes');
  await page.getByTestId('delete-client-submit').click();
  await expect(page.getByTestId('client-deleted')).toBeVisible();
  await page.getByTestId('nav-clients').click();
  await expect(page.getByTestId('clients-empty')).toBeVisible();
  const reply = await oauth.token({ grant_type: 'password', username: ana.username, password: ana.password, client_id: 'notes' }, PHONE.userAgent);
  expect(reply).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  const audit = await driver.call('listAudit', { type: 'client.deleted' });
  expect(audit.items[0]).toMatchObject({ data: { clientId: 'notes', sessionsRevoked: 1 } });
});
