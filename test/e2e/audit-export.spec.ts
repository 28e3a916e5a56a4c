/**
 * Audit stories: an admin searches the audit, opens an entry, is warned about an inverted time range, and
 * exports the filtered result as CSV, reading the downloaded file back; a receipt shows the resource server that
 * acknowledged the revocation, with its delay; a reuse alert is acknowledged from the worklist with a note.
 */
import { readFile } from 'node:fs/promises';
import { createVerifier } from '@token-warden/verifier';
import { test, expect } from './fixtures/warden';
import { LAPTOP, PHONE, decodeAccessToken } from './fixtures/oauth';
import { parseCsv } from '../helpers/csv';
import { acknowledgeAlert, auditRows, closeAuditEntry, openAudit, openAuditEntry, pickAuditTypes, searchAudit } from './pages/audit';
import { assertReceipt, clickConfirm, fillConfirmReason } from './pages/confirm';
import { clickForceLogout } from './pages/user-detail';
import { openUser } from './pages/users';

const PASSWORD = 'correct horse battery';

test('search the audit, open an entry, and export the filtered result as CSV that reads back', async ({ warden }) => {
  test.slow(); // several steps, each a round trip through the console: about a minute on a loaded machine
  const { page, driver } = warden;
  test.skip(warden.mode === 'electron', 'the desktop app saves through a native dialog (unit-tested with a mocked electron)');
  const dora = await driver.call('createUser', { username: 'dora-export', password: PASSWORD });
  await driver.call('createUser', { username: 'someone-else', password: PASSWORD });
  await driver.call('blockUser', { userId: dora.id, reason: '=HYPERLINK("http://evil.example") suspicious' });

  await openAudit(page);
  await test.step('free text finds a substring of any field', async () => {
    await searchAudit(page, 'SUSPIC');
    const found = await driver.call('listAudit', { q: 'SUSPIC' });
    expect(found.items.every((e) => e.reason?.includes('suspicious'))).toBe(true);
    expect(found.items.map((e) => e.type)).toContain('user.blocked');
    await expect(auditRows(page)).toHaveCount(found.items.length);
    for (const e of found.items) await expect(page.getByTestId(`audit-row-${e.seq}`)).toBeVisible();
    await page.getByTestId('audit-filter-q').fill('');
  });
  await page.getByTestId('audit-filter-user').fill('dora-export');
  await expect(page).toHaveURL(/[?&]user=dora-export/);
  await pickAuditTypes(page, ['user.created', 'user.blocked']);
  await expect(auditRows(page)).toHaveCount(2);
  const listed = await driver.call('listAudit', { userId: dora.id, types: ['user.created', 'user.blocked'] });
  expect(listed.items.map((e) => e.type)).toEqual(['user.blocked', 'user.created']);

  await test.step('the filters are in the URL: a reload shows the same result', async () => {
    await page.reload();
    await expect(page.getByTestId('audit-filter-user')).toHaveValue('dora-export');
    await expect(auditRows(page)).toHaveCount(2);
  });

  await test.step('the detail panel shows the whole entry, with a link to the user', async () => {
    const blocked = listed.items[0]!;
    await openAuditEntry(page, blocked.seq);
    await expect(page.getByTestId('audit-detail-type')).toHaveText('user.blocked');
    await expect(page.getByTestId('audit-detail')).toContainText('=HYPERLINK("http://evil.example") suspicious');
    await expect(page.getByTestId('audit-detail').getByRole('link', { name: dora.id, exact: true })).toHaveAttribute('href', `#/users/${dora.id}`);
    await closeAuditEntry(page);
  });

  await test.step('"to" before "from" is called out and not searched', async () => {
    await page.getByTestId('audit-filter-since').fill('2026-06-02T10:00');
    await page.getByTestId('audit-filter-until').fill('2026-06-01T10:00');
    await expect(page.getByTestId('audit-range-warning')).toContainText('“To” is before “From”');
    await expect(page.getByTestId('audit-export-csv')).toBeDisabled();
    await page.getByTestId('audit-filter-since').fill('');
    await page.getByTestId('audit-filter-until').fill('');
    await expect(page.getByTestId('audit-range-warning')).toBeHidden();
    await expect(auditRows(page)).toHaveCount(2);
  });

  await test.step('export CSV: the downloaded file holds exactly the filtered entries, formulas neutralised', async () => {
    const download = page.waitForEvent('download');
    await page.getByTestId('audit-export-csv').click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^audit-.*\.csv$/);
    const rows = parseCsv(await readFile((await file.path())!, 'utf8'));
    expect(rows[0]).toEqual(['seq', 'at', 'atMs', 'type', 'actor', 'userId', 'sessionId', 'reason', 'data', 'prevHash', 'hash']);
    expect(rows.slice(1).map((r) => [Number(r[0]), r[3], r[5]])).toEqual(listed.items.map((e) => [e.seq, e.type, e.userId]));
    expect(rows[1]![7]).toBe(`'=HYPERLINK("http://evil.example") suspicious`);
    expect(rows[1]![4]).toBe(listed.items[0]!.actor);
  });
});

test('a receipt shows the resource server that acknowledged the revocation, with its delay', async ({ warden }) => {
  test.slow(); // 40 s seen on a loaded machine
  const { page, driver, oauth, issuer } = warden;
  const api = await driver.call('createClient', { clientId: 'orders-api', kind: 'confidential', name: 'Orders API', grantTypes: [] });
  await driver.call('createClient', { clientId: 'notes-app', kind: 'public', name: 'Notes app', grantTypes: ['password', 'refresh_token'] });
  await driver.call('createUser', { username: 'erin', password: PASSWORD });
  const session = await oauth.login({ username: 'erin', password: PASSWORD }, 'notes-app', PHONE);
  const verifier = createVerifier({ issuer, audience: 'token-warden-api', clientId: api.clientId, clientSecret: api.clientSecret!, ackDelayMs: 0 });
  try {
    await verifier.start();
    expect(await verifier.verify(session.access_token)).toMatchObject({ active: true });

    await openUser(page, 'erin');
    await clickForceLogout(page);
    await fillConfirmReason(page, 'Phone stolen');
    await clickConfirm(page);
    await assertReceipt(page, { reason: 'Phone stolen', sessionsRevoked: 1 });
    const ack = page.getByTestId('receipt').getByTestId('receipt-ack').filter({ hasText: 'orders-api' });
    await expect(ack).toBeVisible();
    await expect(ack).toContainText(/applied \+\d+ (ms|s)/);
    const delay = await ack.locator('[data-delay-ms]').getAttribute('data-delay-ms');
    expect(Number(delay)).toBeGreaterThanOrEqual(0);
    expect((await verifier.verify(session.access_token)).active).toBe(false);
    await page.getByTestId('confirm-close').click();

    await test.step('the audit detail of the revocation shows the same receipt', async () => {
      const forced = (await driver.call('listAudit', { types: ['user.forced_out'] })).items[0]!;
      await page.goto(`${page.url().split('#')[0]}#/audit?seq=${forced.seq}`);
      await expect(page.getByTestId('audit-detail-receipt').getByTestId('receipt-ack')).toContainText('orders-api');
    });
  } finally {
    verifier.stop();
  }
});

test('a reuse alert waits on the worklist until an operator acknowledges it with a note', async ({ warden }) => {
  test.slow();
  const { page, driver, oauth } = warden;
  await driver.call('createClient', { clientId: 'notes-app', kind: 'public', name: 'Notes app', grantTypes: ['password', 'refresh_token'] });
  await driver.call('createUser', { username: 'frank', password: PASSWORD });
  const first = await oauth.login({ username: 'frank', password: PASSWORD }, 'notes-app', LAPTOP);
  expect((await oauth.refresh(first.refresh_token, 'notes-app', LAPTOP)).status).toBe(200);
  expect((await oauth.refresh(first.refresh_token, 'notes-app', PHONE)).status).toBe(400);
  const sid = decodeAccessToken(first.access_token).sid;
  const alert = (await driver.call('listReuseAlerts', { status: 'open' })).items[0]!;
  expect(alert.entry.sessionId).toBe(sid);

  await page.getByTestId('nav-alerts').click();
  const row = page.getByTestId(`alert-row-${alert.entry.seq}`);
  await expect(row).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId(`alert-session-${alert.entry.seq}`)).toHaveAttribute('href', `#/sessions/${sid}`);
  await expect(page.getByTestId(`alert-audit-${alert.entry.seq}`)).toHaveAttribute('href', `#/audit?seq=${alert.entry.seq}`);
  await acknowledgeAlert(page, alert.entry.seq, 'Frank confirmed a copied token; password reset');
  await expect(page.getByTestId('alerts-empty')).toBeVisible();
  await page.getByTestId('alerts-status-acknowledged').click();
  await expect(page.getByTestId(`alert-status-${alert.entry.seq}`)).toContainText('Frank confirmed a copied token; password reset');
  const acknowledged = (await driver.call('listReuseAlerts', { status: 'acknowledged' })).items[0]!;
  await expect(page.getByTestId(`alert-status-${alert.entry.seq}`)).toContainText(acknowledged.acknowledgement!.by);
  expect(acknowledged.acknowledgement!.by).toMatch(/^admin:/);
});
