/** The console's shell: light/dark theme and keyboard navigation. */
import { REACT_DEV, test, expect, waitForConsole } from './fixtures/warden';
import { tabTo } from './pages/keyboard';
import { assertOnPage, goToOverview } from './pages/navigation';

/** theme.ts: the page background of each palette. */
const BACKGROUND = { light: 'rgb(245, 246, 250)', dark: 'rgb(16, 18, 24)' } as const;

test('the theme toggle switches light and dark, and the choice survives a reload', async ({ warden }) => {
  const { page } = warden;
  const toggle = page.getByTestId('theme-toggle');
  const initial = (await toggle.getAttribute('data-mode')) as 'light' | 'dark';
  const other = initial === 'light' ? 'dark' : 'light';
  await expect(page.locator('body')).toHaveCSS('background-color', BACKGROUND[initial]);

  await toggle.click();
  await expect(toggle).toHaveAttribute('data-mode', other);
  await expect(page.locator('body')).toHaveCSS('background-color', BACKGROUND[other]);

  await page.reload();
  await waitForConsole(page);
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-mode', other);
  await expect(page.locator('body')).toHaveCSS('background-color', BACKGROUND[other]);

  await page.getByTestId('theme-toggle').click();
  await expect(page.getByTestId('theme-toggle')).toHaveAttribute('data-mode', initial);
});

test('keyboard: Tab and Shift+Tab reach the navigation, Enter opens the page, Escape closes a dialog', async ({ warden }) => {
  const { page } = warden;
  await goToOverview(page);

  await tabTo(page, 'nav-users');
  await page.keyboard.press('Enter');
  await assertOnPage(page, 'users');

  await tabTo(page, 'nav-keys');
  await page.keyboard.press('Enter');
  await assertOnPage(page, 'keys');

  await tabTo(page, 'nav-users', { backwards: true });
  await page.keyboard.press('Enter');
  await assertOnPage(page, 'users');
  await tabTo(page, 'create-user-open');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('create-user-dialog')).toBeVisible();
  // In development only, StrictMode runs effects twice and MUI's focus trap then keeps focus on the dialog
  // itself rather than the autoFocus field (mui/material-ui#33004); users get the production build.
  if (!REACT_DEV) await expect(page.getByTestId('create-user-username')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('create-user-dialog')).toBeHidden();
});
