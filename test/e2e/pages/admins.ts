/** The Admins page, the sign-in page and the header's account menu. */
import { expect, type Page } from '@playwright/test';

export type Role = 'viewer' | 'operator' | 'owner';

export async function goToAdmins(page: Page): Promise<void> {
  await page.getByTestId('nav-admins').click();
  await expect(page.getByTestId('nav-admins')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('create-admin-open')).toBeVisible();
}

/** Creates an admin through the dialog and waits for its row. */
export async function createAdmin(page: Page, admin: { username: string; password: string; role: Role }): Promise<void> {
  await page.getByTestId('create-admin-open').click();
  const dialog = page.getByTestId('create-admin-dialog');
  await expect(dialog).toBeVisible();
  await page.getByTestId('create-admin-username').fill(admin.username);
  await page.getByTestId('create-admin-password').fill(admin.password);
  await page.getByTestId('create-admin-role').click();
  await page.getByTestId(`create-admin-role-${admin.role}`).click();
  await page.getByTestId('create-admin-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId(`admin-row-${admin.username}`)).toBeVisible();
  await expect(page.getByTestId(`admin-role-${admin.username}`)).toHaveText(admin.role);
}

/** The sign-in page is shown (a fresh browser, or after signing out). */
export async function expectSignInPage(page: Page): Promise<void> {
  await expect(page.getByTestId('signin-page')).toBeVisible({ timeout: 15_000 });
}

/** Username and password on the sign-in page; `totp` answers the second step when it appears. */
export async function signIn(page: Page, admin: { username: string; password: string }, totp?: () => string): Promise<void> {
  await expectSignInPage(page);
  await page.getByTestId('signin-username').fill(admin.username);
  await page.getByTestId('signin-password').fill(admin.password);
  await page.getByTestId('signin-submit').click();
  if (totp) {
    await expect(page.getByTestId('signin-totp-step')).toBeVisible();
    await page.getByTestId('signin-totp').fill(totp());
    await page.getByTestId('signin-submit').click();
  }
}

/** The header names the signed-in admin and their role. */
export async function expectSignedInAs(page: Page, username: string, role: Role): Promise<void> {
  await expect(page.getByTestId('header-signed-in-as')).toHaveText(username, { timeout: 15_000 });
  await expect(page.getByTestId('header-role')).toHaveText(role);
}

export async function signOut(page: Page, everywhere = false): Promise<void> {
  await page.getByTestId('header-account').click();
  await page.getByTestId(everywhere ? 'account-signout-all' : 'account-signout').click();
  await expectSignInPage(page);
}

/**
 * A POST to the admin API from the page itself, with its session cookie and CSRF token (what the console
 * does): the status and error code the service answers.
 */
export async function postFromPage(page: Page, method: string, input: unknown, withCsrf = true): Promise<{ status: number; code: string | null }> {
  return page.evaluate(
    async ([name, body, csrf]) => {
      const me = (await (await fetch('/admin/me')).json()) as { value?: { csrfToken?: string } };
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (csrf && me.value?.csrfToken) headers['x-csrf-token'] = me.value.csrfToken;
      const response = await fetch(`/admin/rpc/${name}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const answer = (await response.json()) as { error?: { code?: string } };
      return { status: response.status, code: answer.error?.code ?? null };
    },
    [method, input, withCsrf] as const,
  );
}
