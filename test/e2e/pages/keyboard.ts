/** Keyboard-only use of the console. */
import { expect, type Page } from '@playwright/test';

/** The data-testid of the focused element (or of its closest ancestor that has one). */
export function focusedTestId(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { activeElement: { closest(selector: string): { getAttribute(name: string): string | null } | null } | null } }).document;
    return doc.activeElement?.closest('[data-testid]')?.getAttribute('data-testid') ?? null;
  });
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until `testId` has focus; fails after `maxPresses` presses
 * (the element is not reachable by keyboard).
 */
export async function tabTo(page: Page, testId: string, options: { backwards?: boolean; maxPresses?: number } = {}): Promise<void> {
  const { backwards = false, maxPresses = 40 } = options;
  const seen: Array<string | null> = [];
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const focused = await focusedTestId(page);
    if (focused === testId) {
      await expect(page.getByTestId(testId)).toBeFocused();
      return;
    }
    seen.push(focused);
  }
  throw new Error(`${testId} not reached with ${maxPresses} Tab presses; focus went through: ${seen.join(', ')}`);
}
