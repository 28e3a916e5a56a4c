/**
 * The console manages another deployment: a SECOND Token Warden (a real `serve` process on another loopback
 * port, with a named admin and an API key made on it) is added as a profile, tested, switched to, and managed —
 * its users and sessions shown, a session revoked, audited there as the key's admin — then the console switches
 * back to "This computer". The headless console host's main-process code does the talking: the page only ever
 * calls its own origin.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test, expect, ELECTRON_MODE } from './fixtures/warden';
import { httpDriver } from './fixtures/driver';
import { OAuthClient, PHONE, decodeAccessToken } from './fixtures/oauth';
import { startServer, type ServerProcess } from './fixtures/server-process';
import { assertBlastRadius, assertReceipt, clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { addDeployment, assertManaging, fillNewDeployment, goToDeployments, pinFetchedCertificate, saveDeployment, switchDeployment, testConnection } from './pages/deployments';
import { selfSignedCertificate, startTlsProxy } from './fixtures/tls-proxy';
import { goToUsers } from './pages/navigation';
import { assertSession, clickSessionLink } from './pages/user-detail';
import { openUser } from './pages/users';
import { setTheme } from './pages/views';

const REMOTE_USER = { username: 'remote-ruth', password: 'correct horse battery' };
const REMOTE_ADMIN = { username: 'remote-ops', password: 'another long passphrase' };

test.skip(ELECTRON_MODE, 'drives the headless console host; the desktop app runs the same main-process code over IPC');
// Two instances start, and the console switches twice.
test.setTimeout(120_000);

async function seriousFindings(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical').map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

test('the console adds a second deployment, manages it with its API key, and switches back', async ({ warden }) => {
  const { page } = warden;
  const second: ServerProcess = await startServer();
  try {
    const token = (await readFile(path.join(second.dataDir!, 'admin-token'), 'utf8')).trim();
    const remote = httpDriver(second.issuer, async () => token);
    const { id: adminId } = await remote.call('createAdmin', { ...REMOTE_ADMIN, role: 'operator' });
    const { key } = await remote.call('createAdminKey', { adminId, name: 'desktop console' });
    await remote.call('createClient', { clientId: 'notes-app', kind: 'public', name: 'Notes app', grantTypes: ['password', 'refresh_token'] });
    await remote.call('createUser', REMOTE_USER);
    const phone = await new OAuthClient(second.issuer).login(REMOTE_USER, 'notes-app', PHONE);
    const sid = decodeAccessToken(phone.access_token).sid;

    await test.step('this computer is managed at first, and knows nothing of the remote user', async () => {
      await assertManaging(page, { name: 'This computer', url: warden.issuer, kind: 'local' });
      await goToUsers(page);
      await expect(page.getByTestId(`user-row-${REMOTE_USER.username}`)).toHaveCount(0);
    });

    let deploymentId = '';
    await test.step('add the second deployment: Test connection shows its issuer, version and the key\'s admin', async () => {
      await goToDeployments(page);
      deploymentId = await addDeployment(page, { name: 'Second instance', url: second.issuer, apiKey: key }, { issuer: second.issuer, version: '0.1.0', actor: `admin:${REMOTE_ADMIN.username}`, role: 'operator' });
      await expect(page.getByTestId(`deployment-key-${deploymentId}`)).toHaveText('in memory until restart');
      await expect(page.getByTestId(`deployment-url-${deploymentId}`)).toHaveText(second.issuer);
    });

    await test.step('switch: the header names the second instance, and its users appear', async () => {
      await switchDeployment(page, deploymentId);
      await assertManaging(page, { name: 'Second instance', url: second.issuer, kind: 'remote' });
      await expect(page.getByTestId('header-issuer')).toHaveText(second.issuer);
      await openUser(page, REMOTE_USER.username);
      await assertSession(page, sid, PHONE.name, 'active');
    });

    await test.step('revoke the session through the console; the second instance audits the key\'s admin', async () => {
      await clickSessionLink(page, sid);
      await page.getByTestId('action-revoke-session').click();
      await assertBlastRadius(page, [PHONE.name], 1);
      await fillConfirmReason(page, 'Phone reported stolen');
      await clickConfirm(page);
      await assertReceipt(page, { reason: 'Phone reported stolen', sessionsRevoked: 1 });
      await expect(page.getByTestId('receipt-actor')).toContainText(`admin:${REMOTE_ADMIN.username}`);
      await closeReceipt(page);
      const audit = await remote.call('listAudit', { sessionId: sid });
      const revoked = audit.items.find((entry) => entry.type === 'session.revoked');
      expect(revoked?.actor).toBe(`admin:${REMOTE_ADMIN.username}`);
      // Nothing of it happened here.
      const local = await warden.driver.call('listAudit', { sessionId: sid });
      expect(local.items).toEqual([]);
    });

    await test.step('the Deployments page, its dialog and the remote header have no serious axe finding (both themes)', async () => {
      await goToDeployments(page);
      for (const mode of ['light', 'dark'] as const) {
        await setTheme(page, mode);
        // The theme button's tooltip fades in under the pointer: half transparent, it would fail contrast.
        await page.mouse.move(700, 600);
        await expect(page.locator('.MuiTooltip-tooltip')).toHaveCount(0);
        expect(await seriousFindings(page), `deployments page (${mode})`).toEqual([]);
        await page.getByTestId(`deployment-edit-${deploymentId}`).click();
        await expect(page.getByTestId('deployment-dialog')).toBeVisible();
        expect(await seriousFindings(page), `deployment dialog (${mode})`).toEqual([]);
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('deployment-dialog')).toBeHidden();
        await page.getByTestId('header-deployment').click();
        await expect(page.getByTestId('deployment-menu')).toBeVisible();
        expect(await seriousFindings(page), `deployment menu (${mode})`).toEqual([]);
        await page.keyboard.press('Escape');
        await expect(page.getByTestId('deployment-menu')).toBeHidden();
      }
      await setTheme(page, 'light');
    });

    await test.step('live events come from the second instance: a user created there appears without a reload', async () => {
      await goToUsers(page);
      await remote.call('createUser', { username: 'remote-sam', password: REMOTE_USER.password });
      await expect(page.getByTestId('user-row-remote-sam')).toBeVisible();
    });

    await test.step('switch back to This computer: its own (empty) user list again', async () => {
      await switchDeployment(page, 'local');
      await assertManaging(page, { name: 'This computer', url: warden.issuer, kind: 'local' });
      await expect(page.getByTestId('header-issuer')).toHaveText(warden.issuer);
      await goToUsers(page);
      await expect(page.getByTestId(`user-row-${REMOTE_USER.username}`)).toHaveCount(0);
    });
  } finally {
    await second.stop();
  }
});

test('an https deployment with a self-signed certificate is pinned on first use; another certificate is refused', async ({ warden }) => {
  const { page } = warden;
  const second: ServerProcess = await startServer();
  const original = selfSignedCertificate();
  const proxy = await startTlsProxy(second.issuer, original);
  try {
    const token = (await readFile(path.join(second.dataDir!, 'admin-token'), 'utf8')).trim();
    const remote = httpDriver(second.issuer, async () => token);
    const { id: adminId } = await remote.call('createAdmin', { ...REMOTE_ADMIN, role: 'viewer' });
    const { key } = await remote.call('createAdminKey', { adminId, name: 'desktop console' });
    await remote.call('createUser', REMOTE_USER);

    let deploymentId = '';
    await test.step('without verification the profile needs a pin; fetch the certificate, compare, pin, test, save', async () => {
      await goToDeployments(page);
      await fillNewDeployment(page, { name: 'Behind TLS', url: proxy.url, apiKey: key });
      await page.getByTestId('deployment-tls-verify').uncheck();
      await page.getByTestId('deployment-test').click();
      await expect(page.getByTestId('deployment-test-error')).toHaveAttribute('data-error-code', 'invalid_input');
      await pinFetchedCertificate(page, original.sha256);
      await testConnection(page, second.issuer);
      deploymentId = await saveDeployment(page, 'Behind TLS');
      await expect(page.getByTestId(`deployment-pin-${deploymentId}`)).toHaveText(original.sha256);
    });

    await test.step('managed through the pinned connection, with the viewer key\'s role', async () => {
      await switchDeployment(page, deploymentId);
      await assertManaging(page, { name: 'Behind TLS', url: proxy.url, kind: 'remote' });
      await goToUsers(page);
      await expect(page.getByTestId(`user-row-${REMOTE_USER.username}`)).toBeVisible();
      await expect(page.getByTestId('create-user-open')).toBeDisabled();
    });

    await test.step('the server presents another certificate: every call is refused with certificate_mismatch', async () => {
      proxy.useCertificate(selfSignedCertificate());
      await page.getByTestId('nav-overview').click();
      await expect(page.getByTestId('error-alert').first()).toHaveAttribute('data-error-code', 'certificate_mismatch');
      await switchDeployment(page, 'local');
      await assertManaging(page, { name: 'This computer', url: warden.issuer, kind: 'local' });
    });
  } finally {
    await proxy.close();
    await second.stop();
  }
});
