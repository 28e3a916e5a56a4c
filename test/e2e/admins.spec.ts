/**
 * Named admins and the console's own sign-in (docs/console.md "Signing in and roles"): an owner who came in
 * with the one-time link creates an operator and a viewer; the viewer looks but cannot touch; the operator
 * opens a second tab without any new link; two-step sign-in with a QR code; API keys shown once.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { ELECTRON_MODE, expect, test, waitForConsole } from './fixtures/warden';
import { PHONE } from './fixtures/oauth';
import { goToKeys } from './pages/navigation';
import { createAdmin, expectSignInPage, expectSignedInAs, goToAdmins, postFromPage, signIn, signOut } from './pages/admins';

// The desktop app has no sign-in (the OS account owns its engine): these stories are the browser console's.
test.skip(ELECTRON_MODE, 'browser console only');
// Each story opens two or three browsers and hashes several passwords (scrypt): slow on a small, shared machine.
test.describe.configure({ timeout: 120_000 });

const OPERATOR = { username: 'olga.ops', password: 'operator password 1', role: 'operator' } as const;
const VIEWER = { username: 'victor', password: 'viewer password 1', role: 'viewer' } as const;

/**
 * axe's serious and critical findings in `scope` (this spec's own screens; test/e2e/a11y.spec.ts scans whole
 * views), one line each.
 */
async function seriousFindings(page: Page, where: string, scope: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).include(scope).analyze();
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${where}: ${violation.impact} ${violation.id}: ${violation.help} at ${violation.nodes.map((node) => `${node.target.join(' ')} ${node.html.slice(0, 160)}`).slice(0, 5).join(' | ')}`);
}

/** A fresh browser (its own cookie jar) at the console's address: no link, so the sign-in page. */
async function freshBrowser(browser: Browser, issuer: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${issuer}/`);
  return page;
}

test('an owner creates an operator and a viewer; the viewer only looks; the operator opens a second tab without a link', async ({ warden, browser }) => {
  const { page: owner, driver, oauth, issuer } = warden;
  // Something to look at: a user signed in on a phone.
  await driver.call('createClient', { clientId: 'notes', kind: 'public', name: 'Notes', grantTypes: ['password', 'refresh_token'] });
  const { id: userId } = await driver.call('createUser', { username: 'alice', password: 'alice password 1' });
  await oauth.login({ username: 'alice', password: 'alice password 1' }, 'notes', PHONE);
  const [session] = (await driver.call('listSessions', { userId })).items;

  // The owner came in with the one-time link: the header says so.
  await expect(owner.getByTestId('header-signed-in-as')).toHaveText('install owner (one-time link)');
  await expect(owner.getByTestId('header-role')).toHaveText('owner');
  await goToAdmins(owner);
  await createAdmin(owner, OPERATOR);
  await createAdmin(owner, VIEWER);

  // The viewer, in another browser: signs in on the sign-in page (no link).
  const viewer = await freshBrowser(browser, issuer);
  await signIn(viewer, VIEWER);
  await waitForConsole(viewer);
  await expectSignedInAs(viewer, VIEWER.username, 'viewer');
  // They can look…
  await viewer.goto(`${issuer}/#/users/${encodeURIComponent(userId)}`);
  await expect(viewer.getByTestId('user-name')).toHaveText('alice');
  await viewer.goto(`${issuer}/#/sessions/${encodeURIComponent(session!.id)}`);
  await expect(viewer.getByTestId('action-revoke-session')).toBeDisabled();
  await goToKeys(viewer);
  await expect(viewer.getByTestId('rotate-key')).toBeDisabled();
  await goToAdmins(viewer);
  await expect(viewer.getByTestId('create-admin-open')).toBeDisabled();
  await expect(viewer.getByTestId('admins-owner-only')).toBeVisible();
  // …but the API refuses what the buttons would do, and the refusal is audited with the viewer's name.
  expect(await postFromPage(viewer, 'revokeSession', { sessionId: session!.id })).toEqual({ status: 403, code: 'forbidden' });
  expect((await driver.call('listSessions', { userId })).items[0]?.status).toBe('active');
  const refused = await driver.call('listAudit', { type: 'admin.forbidden' });
  expect(refused.items.map((entry) => entry.actor)).toContain(`admin:${VIEWER.username}`);
  // The cookie alone is not enough for a POST: without the CSRF token the service refuses even a read.
  expect(await postFromPage(viewer, 'listUsers', {}, false)).toEqual({ status: 403, code: 'forbidden' });

  // The operator signs in once…
  const operator = await freshBrowser(browser, issuer);
  await signIn(operator, OPERATOR);
  await expectSignedInAs(operator, OPERATOR.username, 'operator');
  // …and a second tab of that browser is signed in without any link.
  const secondTab = await operator.context().newPage();
  await secondTab.goto(`${issuer}/#/keys`);
  await waitForConsole(secondTab);
  await expectSignedInAs(secondTab, OPERATOR.username, 'operator');
  await expect(secondTab.getByTestId('rotate-key')).toBeEnabled();

  // Signing out in one tab signs out the browser: the other tab shows the sign-in page too.
  await signOut(secondTab);
  await expectSignInPage(operator);
  expect((await postFromPage(operator, 'listUsers', {})).status).toBe(401);
  await viewer.context().close();
  await operator.context().close();
});

test('two-step sign-in: an admin enrolls with the QR code and the secret, and then sign-in asks for the code', async ({ warden, browser }) => {
  const admin = { username: 'tess', password: 'owner password 1', role: 'owner' } as const;
  await goToAdmins(warden.page);
  await createAdmin(warden.page, admin);

  const page = await freshBrowser(browser, warden.issuer);
  await signIn(page, admin);
  await expectSignedInAs(page, admin.username, 'owner');
  await goToAdmins(page);
  await expect(page.getByTestId('own-totp-state')).toHaveAttribute('data-enabled', 'false');
  await page.getByTestId('totp-begin').click();
  await expect(page.getByTestId('totp-qr')).toHaveAttribute('src', /^data:image\/png;base64,/);
  const secret = (await page.getByTestId('totp-secret').getAttribute('data-value'))!;
  await expect(page.getByTestId('totp-uri')).toContainText(`secret=${secret}`);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });

  // A wrong code is refused beside the field; the right one turns it on.
  await page.getByTestId('totp-code').fill(totp.generate() === '000000' ? '111111' : '000000');
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('totp-code-help')).toContainText('(');
  const confirmCode = totp.generate();
  await page.getByTestId('totp-code').fill(confirmCode);
  await page.getByTestId('totp-confirm').click();
  await expect(page.getByTestId('own-totp-state')).toHaveAttribute('data-enabled', 'true');
  await expect(warden.page.getByTestId(`admin-totp-${admin.username}`)).toHaveText('on');

  // Signing in now asks for the code. A code is good once: the one that confirmed enrollment is refused…
  await signOut(page);
  await signIn(page, admin, () => confirmCode);
  await expect(page.getByTestId('signin-error')).toHaveAttribute('data-error-code', 'invalid_credentials');
  // …and the next time step's code (the service allows one step of drift) signs in, without waiting for it.
  await page.getByTestId('signin-totp').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await page.getByTestId('signin-submit').click();
  await expectSignedInAs(page, admin.username, 'owner');
  await page.context().close();
});

test('an API key is shown once, acts with its admin role, shows when it was last used and stops at revocation', async ({ warden }) => {
  const { page, issuer } = warden;
  await goToAdmins(page);
  await createAdmin(page, VIEWER);
  await page.getByTestId('create-admin-key-open').click();
  await page.getByTestId('create-admin-key-admin').click();
  await page.getByTestId(`create-admin-key-admin-${VIEWER.username}`).click();
  await page.getByTestId('create-admin-key-name').fill('nightly report');
  await page.getByTestId('create-admin-key-submit').click();
  const key = (await page.getByTestId('admin-key-secret').getAttribute('data-value'))!;
  const keyId = (await page.getByTestId('admin-key-id').getAttribute('data-value'))!;
  await page.getByTestId('admin-key-done').click();
  await expect(page.getByTestId('admin-key-secret')).toHaveCount(0);
  await expect(page.getByTestId(`admin-key-last-used-${keyId}`)).toHaveText('never');

  const call = (method: string, input: unknown = {}) =>
    fetch(`${issuer}/admin/rpc/${method}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  expect((await call('listUsers')).status).toBe(200);
  expect((await call('createAdmin', { username: 'mallory', password: 'mallory password', role: 'owner' })).status).toBe(403);
  // Using a key is not an audited event, so the list learns of it on the next load.
  await page.reload();
  await waitForConsole(page);
  await expect(page.getByTestId(`admin-key-last-used-${keyId}`)).not.toHaveText('never');

  await page.getByTestId(`admin-key-revoke-${keyId}`).click();
  await page.getByTestId('admin-confirm-submit').click();
  await expect(page.getByTestId(`admin-key-row-${keyId}`)).toHaveAttribute('data-revoked', 'true');
  expect((await call('listUsers')).status).toBe(401);
});

test('the sign-in page, the account menu and the Admins page of a named owner have no serious or critical axe finding', async ({ warden, browser }) => {
  const owner = { username: 'amy', password: 'owner password 1', role: 'owner' } as const;
  await warden.driver.call('createAdmin', owner);
  const { id: viewerId } = await warden.driver.call('createAdmin', VIEWER);
  await warden.driver.call('createAdminKey', { adminId: viewerId, name: 'nightly report' });
  const page = await freshBrowser(browser, warden.issuer);
  await expectSignInPage(page);
  const findings = await seriousFindings(page, 'sign-in', 'body');
  // A wrong password leaves an error on the page: that state too.
  await page.getByTestId('signin-username').fill(owner.username);
  await page.getByTestId('signin-password').fill('not the password');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toHaveAttribute('data-error-code', 'invalid_credentials');
  findings.push(...(await seriousFindings(page, 'sign-in refused', 'body')));
  await page.getByTestId('signin-password').fill(owner.password);
  await page.getByTestId('signin-submit').click();
  await expectSignedInAs(page, owner.username, 'owner');
  await goToAdmins(page);
  await expect(page.getByTestId('admins-table')).toBeVisible();
  await expect(page.getByTestId('admin-keys-table')).toBeVisible();
  await expect(page.getByTestId('admin-sessions-table')).toBeVisible();
  await page.getByTestId('totp-begin').click();
  await expect(page.getByTestId('totp-qr')).toBeVisible();
  findings.push(...(await seriousFindings(page, 'admins', 'main')));
  findings.push(...(await seriousFindings(page, 'header account', '[data-testid="header-account"]')));
  await page.getByTestId('header-account').click();
  await expect(page.getByTestId('account-signout')).toBeVisible();
  findings.push(...(await seriousFindings(page, 'account menu', '[data-testid="account-menu"]')));
  expect(findings).toEqual([]);
  await page.context().close();
});

test("an owner's change reaches the admin's open console: a new role applies at once, disabling signs them out", async ({ warden, browser }) => {
  const { page: owner, issuer } = warden;
  await goToAdmins(owner);
  await createAdmin(owner, VIEWER);
  const viewer = await freshBrowser(browser, issuer);
  await signIn(viewer, VIEWER);
  await expectSignedInAs(viewer, VIEWER.username, 'viewer');
  await goToKeys(viewer);
  await expect(viewer.getByTestId('rotate-key')).toBeDisabled();

  // Promoted: the viewer's console follows without a reload.
  await owner.getByTestId(`admin-role-${VIEWER.username}`).click();
  await owner.getByTestId('admin-role-option-operator').click();
  await expect(owner.getByTestId(`admin-role-${VIEWER.username}`)).toHaveText('operator');
  await expect(viewer.getByTestId('header-role')).toHaveText('operator');
  await expect(viewer.getByTestId('rotate-key')).toBeEnabled();

  // Disabled: their session ends, and their console shows the sign-in page (not an error).
  await owner.getByTestId(`admin-toggle-${VIEWER.username}`).click();
  await owner.getByTestId('admin-confirm-submit').click();
  await expect(owner.getByTestId(`admin-status-${VIEWER.username}`)).toHaveText('disabled');
  await expectSignInPage(viewer);
  await signIn(viewer, VIEWER);
  await expect(viewer.getByTestId('signin-error')).toBeVisible();
  await viewer.context().close();
});

test('passwords and sessions: an admin changes their own password; an owner ends a console session and resets a password', async ({ warden, browser }) => {
  const { page: owner, issuer } = warden;
  await goToAdmins(owner);
  await createAdmin(owner, OPERATOR);
  const operator = await freshBrowser(browser, issuer);
  await signIn(operator, OPERATOR);
  await expectSignedInAs(operator, OPERATOR.username, 'operator');

  // Their own password: the current one is checked first.
  await goToAdmins(operator);
  await operator.getByTestId('own-password-current').fill('not my password');
  await operator.getByTestId('own-password-new').fill('a new operator password');
  await operator.getByTestId('own-password-submit').click();
  await expect(operator.getByTestId('own-password-error')).toBeVisible();
  await operator.getByTestId('own-password-current').fill(OPERATOR.password);
  await operator.getByTestId('own-password-submit').click();
  await expect(operator.getByTestId('own-account-note')).toContainText('Password changed');
  const changed = { ...OPERATOR, password: 'a new operator password' };

  // The owner sees the operator's console session and ends it: the operator's console shows the sign-in page.
  const row = owner.getByTestId('admin-session-row').and(owner.locator(`[data-actor="admin:${OPERATOR.username}"]`));
  await expect(row).toHaveCount(1);
  await row.getByRole('button', { name: 'End' }).click();
  await owner.getByTestId('admin-confirm-submit').click();
  await expect(row).toHaveCount(0);
  await expectSignInPage(operator);

  // The new password signs in; after an owner's reset only the reset one does, and the session it opened ends.
  await signIn(operator, changed);
  await expectSignedInAs(operator, OPERATOR.username, 'operator');
  await owner.getByTestId(`admin-reset-password-${OPERATOR.username}`).click();
  await owner.getByTestId('reset-admin-password').fill('the reset password');
  await owner.getByTestId('reset-admin-password-submit').click();
  await expect(owner.getByTestId('reset-admin-password-dialog')).toBeHidden();
  await expectSignInPage(operator);
  await signIn(operator, changed);
  await expect(operator.getByTestId('signin-error')).toHaveAttribute('data-error-code', 'invalid_credentials');
  await operator.getByTestId('signin-password').fill('the reset password');
  await operator.getByTestId('signin-submit').click();
  await expectSignedInAs(operator, OPERATOR.username, 'operator');
  await operator.context().close();
});

test('when owners require two-step sign-in, an admin without it sees only the enrollment screen until it is done', async ({ warden, browser }) => {
  await warden.driver.call('createAdmin', VIEWER);
  await warden.driver.call('updateSettings', { adminTotpRequired: true });
  const page = await freshBrowser(browser, warden.issuer);
  await signIn(page, VIEWER);
  await expect(page.getByTestId('totp-enrollment-required')).toBeVisible();
  await expect(page.getByTestId('nav-users')).toHaveCount(0);
  // The service agrees: nothing but enrollment is open to this session yet.
  expect(await postFromPage(page, 'listUsers', {})).toMatchObject({ status: 403 });

  await page.getByTestId('totp-begin').click();
  const secret = (await page.getByTestId('totp-secret').getAttribute('data-value'))!;
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
  await page.getByTestId('totp-code').fill(totp.generate());
  await page.getByTestId('totp-confirm').click();
  await waitForConsole(page);
  await expectSignedInAs(page, VIEWER.username, 'viewer');
  expect(await postFromPage(page, 'listUsers', {})).toMatchObject({ status: 200 });
  await page.context().close();
});
