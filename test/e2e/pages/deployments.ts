/** The Deployments page and the header's deployment switcher. */
import { expect, type Page } from '@playwright/test';

export async function goToDeployments(page: Page): Promise<void> {
  await page.getByTestId('nav-deployments').click();
  await expect(page.getByTestId('nav-deployments')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('deployments-table')).toBeVisible();
}

/** The header says which deployment this window manages. */
export async function assertManaging(page: Page, expected: { name: string; url: string; kind: 'local' | 'remote' }): Promise<void> {
  const header = page.getByTestId('header-deployment');
  await expect(header).toHaveAttribute('data-kind', expected.kind);
  await expect(page.getByTestId('header-deployment-name')).toHaveText(expected.name);
  await expect(page.getByTestId('header-deployment-url')).toHaveText(expected.url);
}

export interface ConnectionTest {
  issuer: string;
  version: string;
  actor: string;
  role: string;
}

/**
 * Adds a remote deployment: fills the form, tests the connection (which must show the remote's issuer,
 * version and the key's actor before Save is enabled), saves, and returns the new profile's id.
 */
export async function addDeployment(page: Page, profile: { name: string; url: string; apiKey: string }, expected: ConnectionTest): Promise<string> {
  await page.getByTestId('deployment-add').click();
  await expect(page.getByTestId('deployment-dialog')).toBeVisible();
  await page.getByTestId('deployment-name').fill(profile.name);
  await page.getByTestId('deployment-url').fill(profile.url);
  await page.getByTestId('deployment-key').fill(profile.apiKey);
  await expect(page.getByTestId('deployment-save')).toBeDisabled();
  await page.getByTestId('deployment-test').click();
  await expect(page.getByTestId('deployment-test-result')).toBeVisible();
  await expect(page.getByTestId('deployment-test-issuer')).toHaveText(expected.issuer);
  await expect(page.getByTestId('deployment-test-version')).toHaveText(expected.version);
  await expect(page.getByTestId('deployment-test-actor')).toHaveText(expected.actor);
  await expect(page.getByTestId('deployment-test-role')).toHaveText(expected.role);
  await page.getByTestId('deployment-save').click();
  await expect(page.getByTestId('deployment-dialog')).toBeHidden();
  const row = page.locator(`[data-testid^="deployment-row-"][data-name="${profile.name}"]`);
  await expect(row).toBeVisible();
  const testId = await row.getAttribute('data-testid');
  return testId!.slice('deployment-row-'.length);
}

/** Switches through the header's menu and waits until the header names the new deployment. */
export async function switchDeployment(page: Page, id: string): Promise<void> {
  await page.getByTestId('header-deployment').click();
  await expect(page.getByTestId('deployment-menu')).toBeVisible();
  await page.getByTestId(`deployment-menu-${id}`).click();
  await expect(page.getByTestId('header-deployment')).toHaveAttribute('data-deployment-id', id);
  // The live stream reconnects to the deployment now managed.
  await expect(page.getByTestId('header-live')).toHaveAttribute('data-status', 'live');
}

/** Opens the add dialog and fills a profile in (nothing tested or saved yet). */
export async function fillNewDeployment(page: Page, profile: { name: string; url: string; apiKey: string }): Promise<void> {
  await page.getByTestId('deployment-add').click();
  await expect(page.getByTestId('deployment-dialog')).toBeVisible();
  await page.getByTestId('deployment-name').fill(profile.name);
  await page.getByTestId('deployment-url').fill(profile.url);
  await page.getByTestId('deployment-key').fill(profile.apiKey);
}

/** Trust on first use: fetches the server's certificate, checks its fingerprint is `sha256`, and pins it. */
export async function pinFetchedCertificate(page: Page, sha256: string): Promise<void> {
  await page.getByTestId('deployment-fetch-cert').click();
  await expect(page.getByTestId('deployment-cert')).toBeVisible();
  await expect(page.getByTestId('deployment-cert')).toHaveAttribute('data-authorized', 'false');
  await expect(page.getByTestId('deployment-cert-sha256')).toHaveText(sha256);
  await page.getByTestId('deployment-cert-trust').click();
  await expect(page.getByTestId('deployment-pin')).toHaveValue(sha256);
}

/** Tests the connection as filled in: a success showing `issuer`. */
export async function testConnection(page: Page, issuer: string): Promise<void> {
  await page.getByTestId('deployment-test').click();
  await expect(page.getByTestId('deployment-test-issuer')).toHaveText(issuer);
}

/** Saves the dialog and returns the saved profile's id (found by its name). */
export async function saveDeployment(page: Page, name: string): Promise<string> {
  await page.getByTestId('deployment-save').click();
  await expect(page.getByTestId('deployment-dialog')).toBeHidden();
  const row = page.locator(`[data-testid^="deployment-row-"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  return (await row.getAttribute('data-testid'))!.slice('deployment-row-'.length);
}
