/**
 * The incident story of the Sessions view: an admin filters every user's sessions by client, selects three,
 * reads one blast radius for the selection, revokes them with one receipt, and the audit names who did it.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import { LAPTOP, PHONE, TABLET, decodeAccessToken } from './fixtures/oauth';
import { assertBlastRadius, assertReceipt, clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { assertRows, assertSessionStatus, clickRevokeSelected, filterByClient, openSessions, selectSession } from './pages/sessions';

const PASSWORD = 'correct horse battery';

/** Serious and critical axe findings inside `scope` (this view's own markup; the shell has a11y.spec.ts). */
async function seriousAxeFindings(page: Page, scope: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(scope).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}
const NOTES = 'notes-app';
const CHAT = 'chat-app';

test('filter Sessions by client, select three, revoke them with one receipt, and the audit shows the actor', async ({ warden }) => {
  test.setTimeout(120_000);
  const { page, oauth, driver } = warden;
  for (const [clientId, name] of [[NOTES, 'Notes app'], [CHAT, 'Chat app']] as const) {
    await driver.call('createClient', { clientId, kind: 'public', name, grantTypes: ['password', 'refresh_token'] });
  }
  for (const username of ['alice', 'bob']) await driver.call('createUser', { username, password: PASSWORD });
  const sid = async (username: string, clientId: string, device: typeof PHONE) =>
    decodeAccessToken((await oauth.login({ username, password: PASSWORD }, clientId, device)).access_token).sid;
  // Three users' devices on the notes app (one of them kept), two sessions on the chat app.
  const alicePhone = await sid('alice', NOTES, PHONE);
  const aliceLaptop = await sid('alice', NOTES, LAPTOP);
  const bobTablet = await sid('bob', NOTES, TABLET);
  const bobPhone = await sid('bob', NOTES, PHONE);
  const chat = [await sid('alice', CHAT, LAPTOP), await sid('bob', CHAT, TABLET)];

  await test.step('the Sessions view filtered by client lists only that client’s sessions, of every user', async () => {
    await openSessions(page);
    await filterByClient(page, NOTES);
    await assertRows(page, [alicePhone, aliceLaptop, bobTablet, bobPhone]);
  });

  const selection = [alicePhone, aliceLaptop, bobTablet];
  await test.step('select three: one blast radius for the selection, then one receipt', async () => {
    for (const id of selection) await selectSession(page, id);
    await clickRevokeSelected(page, 3);
    await assertBlastRadius(page, [PHONE.name, LAPTOP.name, TABLET.name], 3);
    await fillConfirmReason(page, 'Stolen bag');
    await clickConfirm(page);
    await assertReceipt(page, { reason: 'Stolen bag', sessionsRevoked: 3 });
    await closeReceipt(page);
  });

  await test.step('the three read revoked, the fourth and the other client’s stay active', async () => {
    for (const id of selection) await assertSessionStatus(page, id, 'revoked');
    await assertSessionStatus(page, bobPhone, 'active');
    const others = await driver.call('searchSessions', { clientId: CHAT });
    expect(others.items.map((s) => [s.id, s.status]).sort()).toEqual(chat.map((id) => [id, 'active']).sort());
  });

  await test.step('the filter survives a reload (it is in the URL)', async () => {
    await page.reload();
    await expect(page.getByTestId('sessions-filter-client')).toHaveText(NOTES);
    await assertRows(page, [alicePhone, aliceLaptop, bobTablet, bobPhone]);
  });

  await test.step('one audit entry for the batch, with the actor', async () => {
    const audit = await driver.call('listAudit', { type: 'sessions.revoked' });
    expect(audit.items).toHaveLength(1);
    const entry = audit.items[0]!;
    expect(entry.actor).toMatch(/^admin:/);
    expect(entry.data).toMatchObject({ count: 3, sessionIds: expect.arrayContaining(selection) });
    await page.getByTestId('nav-audit').click();
    await expect(page.getByTestId(`audit-row-${entry.seq}`)).toContainText(entry.actor);
  });

  await test.step('sign out everyone on the other client: the button waits for the typed client id', async () => {
    await page.getByTestId('nav-sessions').click();
    await expect(page.getByTestId('all-sessions-table')).toBeVisible();
    expect(await seriousAxeFindings(page, 'main'), 'Sessions view').toEqual([]);
    await page.getByTestId('sign-out-everyone-open').click();
    await page.getByTestId('sign-out-everyone-scope').click();
    await page.getByRole('option', { name: `Everyone on ${CHAT}` }).click();
    await expect(page.getByTestId('sign-out-everyone-submit')).toBeDisabled();
    await page.getByTestId('sign-out-everyone-confirm').fill('everyone');
    await expect(page.getByTestId('sign-out-everyone-submit')).toBeDisabled();
    await page.getByTestId('sign-out-everyone-confirm').fill(CHAT);
    expect(await seriousAxeFindings(page, '[role="dialog"]'), 'sign-out-everyone dialog').toEqual([]);
    await page.getByTestId('sign-out-everyone-submit').click();
    await expect(page.getByTestId('receipt-action')).toHaveText('signOutEveryone');
    await expect(page.getByTestId('receipt-sessions')).toContainText('2');
    await page.getByTestId('sign-out-everyone-close').click();
    const after = await driver.call('searchSessions', { clientId: CHAT });
    expect(after.items.map((s) => s.status)).toEqual(['revoked', 'revoked']);
    expect((await driver.call('searchSessions', { clientId: NOTES, status: 'active' })).items.map((s) => s.id)).toEqual([bobPhone]);
  });
});
