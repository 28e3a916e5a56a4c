/** User management on a user's page: profile, password, unlock, delete; and the Users search. */
import { expect, type Page } from '@playwright/test';

export async function editProfile(page: Page, profile: { displayName: string; email: string; attributes: Record<string, string> }): Promise<void> {
  await page.getByTestId('action-edit-user').click();
  await expect(page.getByTestId('edit-user-dialog')).toBeVisible();
  await page.getByTestId('edit-user-display-name').fill(profile.displayName);
  await page.getByTestId('edit-user-email').fill(profile.email);
  let i = 0;
  for (const [name, value] of Object.entries(profile.attributes)) {
    await page.getByTestId('edit-user-attribute-add').click();
    await page.getByTestId(`edit-user-attribute-name-${i}`).fill(name);
    await page.getByTestId(`edit-user-attribute-value-${i}`).fill(value);
    i += 1;
  }
  await page.getByTestId('edit-user-submit').click();
  await expect(page.getByTestId('edit-user-dialog')).toBeHidden();
}

/** Sets a password through the dialog (sign-out-everywhere left as it is: on); returns after the receipt. */
export async function setPassword(page: Page, password: string): Promise<void> {
  await page.getByTestId('action-set-password').click();
  await expect(page.getByTestId('set-password-dialog')).toBeVisible();
  await expect(page.getByTestId('set-password-revoke')).toBeChecked();
  await page.getByTestId('set-password-input').fill(password);
  await page.getByTestId('set-password-repeat').fill(password);
  await page.getByTestId('set-password-submit').click();
  await expect(page.getByTestId('set-password-done')).toBeVisible();
}

export async function closeSetPassword(page: Page): Promise<void> {
  await page.getByTestId('set-password-close').click();
  await expect(page.getByTestId('set-password-dialog')).toBeHidden();
}

export async function assertUserStatus(page: Page, status: 'active' | 'locked' | 'blocked'): Promise<void> {
  await expect(page.getByTestId('user-status')).toHaveAttribute('data-status', status);
}

export async function searchUsers(page: Page, text: string): Promise<void> {
  await page.getByTestId('users-search').fill(text);
}

export async function deleteUser(page: Page, username: string): Promise<void> {
  await page.getByTestId('action-delete-user').click();
  await expect(page.getByTestId('delete-user-dialog')).toBeVisible();
  await expect(page.getByTestId('delete-user-submit')).toBeDisabled();
  await page.getByTestId('delete-user-confirm').fill(username);
  await page.getByTestId('delete-user-submit').click();
  await expect(page.getByTestId('receipt')).toBeVisible();
}
