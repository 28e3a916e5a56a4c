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
  // A live event (the user's own sign-in, say) can re-render the row under the pointer and swallow the click:
  // click again until the user's page is open.
  const name = page.getByTestId('user-name');
  await expect(async () => {
    if (!(await name.isVisible())) await page.getByTestId(`user-link-${username}`).click({ timeout: 2_000 });
    await expect(name).toHaveText(username, { timeout: 3_000 });
  }).toPass({ timeout: 20_000 });
  const match = /#\/users\/([^/?]+)/.exec(page.url());
  if (!match) throw new Error(`not on a user page: ${page.url()}`);
  return decodeURIComponent(match[1]!);
}
