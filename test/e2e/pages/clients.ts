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
