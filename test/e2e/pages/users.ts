/** The Users view and its create-user dialog. */
import { expect, type Page } from '@playwright/test';
import { goToUsers } from './navigation';

export async function clickCreateUser(page: Page): Promise<void> {
  await page.getByTestId('create-user-open').click();
  await expect(page.getByTestId('create-user-dialog')).toBeVisible();
}

export async function fillCreateUserForm(page: Page, username: string, password: string): Promise<void> {
  await page.getByTestId('create-user-username').fill(username);
  await page.getByTestId('create-user-password').fill(password);
}

export async function assertUserRow(page: Page, username: string, activeSessions: number): Promise<void> {
  await expect(page.getByTestId(`user-row-${username}`)).toBeVisible();
  await expect(page.getByTestId(`user-status-${username}`)).toHaveAttribute('data-status', 'active');
  await expect(page.getByTestId(`user-sessions-${username}`)).toHaveText(String(activeSessions));
}

/** Creates a user through the console and waits for the new row. */
export async function createUser(page: Page, username: string, password: string): Promise<void> {
  await goToUsers(page);
  await clickCreateUser(page);
  await fillCreateUserForm(page, username, password);
  await page.getByTestId('create-user-submit').click();
  await expect(page.getByTestId('create-user-dialog')).toBeHidden();
  await assertUserRow(page, username, 0);
}

/** Opens a user's detail view from the Users table; returns the user id from the address. */
export async function openUser(page: Page, username: string): Promise<string> {
  await goToUsers(page);
  await page.getByTestId(`user-link-${username}`).click();
  await expect(page.getByTestId('user-name')).toHaveText(username);
  const match = /#\/users\/([^/?]+)/.exec(page.url());
  if (!match) throw new Error(`not on a user page: ${page.url()}`);
  return decodeURIComponent(match[1]!);
}
