/** Keyboard-only use of the console. */
import { expect, type Page } from '@playwright/test';

/** The data-testid of the focused element (or of its closest ancestor that has one). */
export function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { closest(selector: string): { getAttribute(name: string): string | null } | null } | null } }).document;
    return doc.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null;
  });
}

/** Presses Tab until `testId` has focus; fails after `maxPresses` (the element is not reachable). */
export async function tabTo(page: Page, testId: string, maxPresses = 40): Promise<void> {
  const seen: Array<string | null> = [];
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedTestId(page);
    if (focused === testId) {
      await expect(page.getByTestId(testId)).toBeFocused();
      return;
    }
    seen.push(focused);
  }
  throw new Error(`${testId} not reached with ${maxPresses} Tab presses; focus went through: ${seen.join(', ')}`);
}
