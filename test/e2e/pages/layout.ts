/**
 * What "the layout holds" means, measured in the page: nothing wider than the window, no table wider than
 * its container, no grid that scrolls sideways, no header or cell cut off with an ellipsis.
 */
import type { Page } from '@playwright/test';

/** The window sizes the console is held to (layout.spec.ts) and pictured at (screenshots.spec.ts). */
export const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
] as const;

/** One overflow, e.g. "table[data-testid=keys-table] is 23px wider than its container". */
export type Overflow = string;

export function findOverflows(page: Page): Promise<Overflow[]> {
  return page.evaluate(() => {
    // The test project has no DOM typings: the page's globals, as much of them as this needs.
    interface El {
      tagName: string;
      scrollWidth: number;
      clientWidth: number;
      textContent: string | null;
      parentElement: El | null;
      getAttribute(name: string): string | null;
      getBoundingClientRect(): { width: number; right: number };
      closest(selector: string): El | null;
      querySelectorAll(selector: string): ArrayLike<El>;
    }
    const g = globalThis as unknown as { document: { documentElement: El; querySelectorAll(selector: string): ArrayLike<El> }; innerWidth: number };
    const found: string[] = [];
    const SLACK = 1;
    const name = (el: El): string => {
      const owner = el.closest('[data-testid]');
      const label = (el.textContent ?? '').trim().slice(0, 40);
      return `${el.tagName.toLowerCase()}${owner ? ` in [data-testid=${owner.getAttribute('data-testid')}]` : ''}${label ? ` ("${label}")` : ''}`;
    };
    const all = (selector: string): El[] => Array.from(g.document.querySelectorAll(selector));

    const pageExcess = g.document.documentElement.scrollWidth - g.innerWidth;
    if (pageExcess > SLACK) found.push(`the page is ${pageExcess}px wider than the window`);

    for (const table of all('table')) {
      const container = table.parentElement;
      if (!container) continue;
      const excess = Math.round(table.getBoundingClientRect().width - container.clientWidth);
      if (excess > SLACK) found.push(`${name(table)} is ${excess}px wider than its container`);
      const scroll = container.scrollWidth - container.clientWidth;
      if (scroll > SLACK && excess <= SLACK) found.push(`${name(container)} scrolls sideways by ${scroll}px`);
    }
    for (const grid of all('.MuiDataGrid-root')) {
      const container = grid.parentElement;
      if (container) {
        const excess = Math.round(grid.getBoundingClientRect().width - container.clientWidth);
        if (excess > SLACK) found.push(`${name(grid)} is ${excess}px wider than its container`);
      }
      for (const scroller of Array.from(grid.querySelectorAll('.MuiDataGrid-virtualScroller'))) {
        const scroll = scroller.scrollWidth - scroller.clientWidth;
        if (scroll > SLACK) found.push(`${name(grid)}: its content is ${scroll}px wider than the grid (it scrolls sideways)`);
      }
      for (const title of Array.from(grid.querySelectorAll('.MuiDataGrid-columnHeaderTitle'))) {
        if (title.scrollWidth - title.clientWidth > SLACK) found.push(`column header "${(title.textContent ?? '').trim()}" in ${name(grid)} is cut off`);
      }
      for (const cell of Array.from(grid.querySelectorAll('.MuiDataGrid-cell'))) {
        if (cell.scrollWidth - cell.clientWidth > SLACK) found.push(`cell ${name(cell)} is cut off by ${cell.scrollWidth - cell.clientWidth}px`);
      }
    }
    return found;
  });
}
