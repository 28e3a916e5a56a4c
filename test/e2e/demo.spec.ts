/**
 * The demo, as a first-time visitor meets it: simulated devices calling a demo API; a force logout from a
 * user's page turns every one of that user's devices 401 within a second (measured per device) while
 * everyone else keeps getting 200; the refresh-token thief trips reuse detection, visible in Overview and Audit.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures/warden';
import { clickConfirm, closeReceipt, fillConfirmReason } from './pages/confirm';
import { goToAudit, goToOverview } from './pages/navigation';
import { clickForceLogout } from './pages/user-detail';

test.use({ wardenArgs: ['--demo'] });

async function goToDemo(page: Page): Promise<void> {
  await page.getByTestId('nav-demo').click();
  await expect(page.getByTestId('nav-demo')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('demo-devices-table')).toBeVisible();
}

async function assertDeviceStatus(page: Page, deviceId: string, status: '200' | '401'): Promise<void> {
  await expect(page.getByTestId(`demo-device-status-${deviceId}`)).toHaveAttribute('data-status', status);
}

/** The propagation readout of `deviceId` names `action` and a time under one second. */
async function assertPropagationUnderASecond(page: Page, deviceId: string, action: string): Promise<void> {
  const readout = page.getByTestId(`demo-propagation-${deviceId}`);
  await expect(readout).toHaveAttribute('data-action', action);
  await expect(readout).toHaveAttribute('data-ms', /^\d+(\.\d+)?$/);
  const ms = Number(await readout.getAttribute('data-ms'));
  expect(ms).toBeLessThan(1000);
  await expect(readout).toContainText(`ms after ${action}`);
}

test('force logout bites every device of the user within a second; the refresh-token thief is caught', async ({ warden }) => {
  const { page, driver } = warden;

  await test.step('open the demo panel: every simulated device gets 200 from the demo API', async () => {
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await goToDemo(page);
    const state = (await driver.call('getDemoState', {}));
    for (const device of state.devices) await assertDeviceStatus(page, device.id, '200');
  });

  const state = (await driver.call('getDemoState', {}));
  const byUser = new Map<string, string[]>();
  for (const device of state.devices) byUser.set(device.userId, [...(byUser.get(device.userId) ?? []), device.id]);
  const [victimId, victimDevices] = [...byUser.entries()].find(([, devices]) => devices.length >= 2)!;
  const others = state.devices.filter((d) => d.userId !== victimId).map((d) => d.id);

  await test.step("force-logout the user from their page, after reading the blast radius", async () => {
    await page.getByTestId(`demo-user-link-${victimDevices[0]}`).click();
    await expect(page.getByTestId('user-name')).toBeVisible();
    await clickForceLogout(page);
    await expect(page.getByTestId('blast-radius-devices').locator('[data-testid^="blast-radius-device-"]')).toHaveCount(victimDevices.length);
    await fillConfirmReason(page, 'Demo: lost phone');
    await clickConfirm(page);
    await expect(page.getByTestId('receipt')).toBeVisible();
    await closeReceipt(page);
  });

  await test.step("every one of the user's devices turns 401 with a propagation time under a second", async () => {
    await goToDemo(page);
    for (const id of victimDevices) {
      await assertDeviceStatus(page, id, '401');
      await assertPropagationUnderASecond(page, id, 'force logout');
    }
  });

  await test.step("other users' devices keep getting 200", async () => {
    for (const id of others) await assertDeviceStatus(page, id, '200');
  });

  // The README's demo picture: taken here, where the panel shows the propagation times.
  if (process.env.TW_SCREENSHOTS === '1') {
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.screenshot({ path: 'docs/screenshots/demo.png' });
  }

  const target = others[0]!;
  await test.step('steal a refresh token: the replay after rotation is refused and the session revoked', async () => {
    await page.getByTestId(`demo-steal-${target}`).click();
    await expect(page.getByTestId('demo-attacker')).toHaveAttribute('data-state', 'replayed');
    await expect(page.getByTestId('demo-attacker-outcome')).toContainText('invalid_grant');
    await assertDeviceStatus(page, target, '401');
    await expect(page.getByTestId(`demo-propagation-${target}`)).toHaveAttribute('data-action', 'reuse detection');
  });

  await test.step('the reuse alert shows in Overview', async () => {
    await goToOverview(page);
    await expect(page.getByTestId('stat-reuseAlerts')).toContainText('1');
  });

  await test.step('and in Audit, as refresh_token.reused', async () => {
    await goToAudit(page);
    await page.getByTestId('audit-filter-type').click();
    await page.getByTestId('audit-filter-type-refresh_token.reused').click();
    await expect(page.getByTestId('audit-table').locator('[data-testid^="audit-row-"]')).toHaveCount(1);
    await expect(page.getByTestId('audit-table')).toContainText('refresh_token.reused');
  });
});
