/** The Clients view: registering the app the test's devices sign in through. */
import { expect, type Page } from '@playwright/test';
import { goToClients } from './navigation';

export async function clickCreateClient(page: Page): Promise<void> {
  await page.getByTestId('create-client-open').click();
  await expect(page.getByTestId('create-client-dialog')).toBeVisible();
}

export async function fillCreateClientForm(page: Page, clientId: string, name: string): Promise<void> {
  await page.getByTestId('create-client-id').fill(clientId);
  await page.getByTestId('create-client-name').fill(name);
  await page.getByTestId('create-client-kind-public').check();
  // The specs' devices sign in with the password grant, which a new client has only when it is ticked.
  await page.getByTestId('create-client-grant-password').check();
}

export async function assertClientRow(page: Page, clientId: string, kind: 'public' | 'confidential'): Promise<void> {
  await expect(page.getByTestId(`client-row-${clientId}`)).toBeVisible();
  await expect(page.getByTestId(`client-kind-${clientId}`)).toHaveText(kind);
}

/** Creates a public client through the console and waits for its row. */
export async function createPublicClient(page: Page, clientId: string, name: string): Promise<void> {
  await goToClients(page);
  await clickCreateClient(page);
  await fillCreateClientForm(page, clientId, name);
  await page.getByTestId('create-client-submit').click();
  await expect(page.getByTestId('create-client-dialog')).toBeHidden();
  await assertClientRow(page, clientId, 'public');
}

/** Opens a client's edit dialog from its row. */
export async function clickEditClient(page: Page, clientId: string): Promise<void> {
  await page.getByTestId(`client-edit-${clientId}`).click();
  await expect(page.getByTestId('edit-client-dialog')).toBeVisible();
  await expect(page.getByTestId('edit-client-id')).toHaveValue(clientId);
}

/** One URI per line in a dialog's URI field (`create-client` or `edit-client`). */
export async function fillRedirectUris(page: Page, dialog: 'create-client' | 'edit-client', uris: string[]): Promise<void> {
  await page.getByTestId(`${dialog}-redirect-uris`).fill(uris.join('\n'));
}

export async function assertFieldError(page: Page, dialog: 'create-client' | 'edit-client', field: string, message: string | RegExp): Promise<void> {
  await expect(page.getByTestId(`${dialog}-${field}-help`)).toHaveText(message);
}

export async function assertClientGrants(page: Page, clientId: string, grants: string[]): Promise<void> {
  const cell = page.getByTestId(`client-grants-${clientId}`);
  for (const grant of grants) await expect(cell).toContainText(grant);
  await expect(cell.locator('.MuiChip-root')).toHaveCount(grants.length);
}

/** Opens a client's page (`#/clients/<id>`) from its row in the Clients view. */
export async function openClientPage(page: Page, clientId: string): Promise<void> {
  await goToClients(page);
  await page.getByTestId(`client-link-${clientId}`).click();
  await expect(page.getByTestId('client-id')).toHaveText(clientId);
}

/** Reads the secret the one-time dialog shows, then closes it. */
export async function takeShownSecret(page: Page): Promise<string> {
  await expect(page.getByTestId('client-secret-dialog')).toBeVisible();
  const secret = await page.getByTestId('client-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  await page.getByTestId('client-secret-done').click();
  await expect(page.getByTestId('client-secret-dialog')).toBeHidden();
  return secret;
}

/** Rotates the open client's secret with an overlap (seconds, one of the dialog's choices); returns the new secret. */
export async function rotateSecret(page: Page, overlapSeconds: number, previous: string | RegExp): Promise<string> {
  await page.getByTestId('client-action-rotate-secret').click();
  await expect(page.getByTestId('rotate-secret-dialog')).toBeVisible();
  await page.getByTestId('rotate-secret-overlap').click();
  await page.getByTestId(`rotate-secret-overlap-${overlapSeconds}`).click();
  await page.getByTestId('rotate-secret-submit').click();
  await expect(page.getByTestId('client-secret-previous')).toHaveText(previous);
  return takeShownSecret(page);
}
