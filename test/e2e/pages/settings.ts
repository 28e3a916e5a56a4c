/** The Settings view: pick values, save, and read what the engine kept. */
import { expect, type Page } from '@playwright/test';

/** Chooses `option` (its value, e.g. `true`) in a select or on/off setting. */
export async function chooseSetting(page: Page, key: string, option: string): Promise<void> {
  await page.getByTestId(`settings-${key}`).click();
  await page.getByTestId(`settings-${key}-${option}`).click();
}

/** Saves the draft and waits for the engine's confirmation. */
export async function saveSettings(page: Page): Promise<void> {
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
}
