/**
 * End-to-end scenarios (test/e2e). `npm run test:e2e` runs them in Debian's Chromium against the browser
 * console; `npm run test:e2e:electron` (TW_E2E_ELECTRON=1) runs the same specs in the Electron app through
 * `_electron.launch`, skipping with a printed reason where no Electron binary exists. Build first:
 * `npx electron-vite build`. TW_E2E_REACT_DEV=1 runs them against React's development build (build it with
 * `TW_RENDERER_DEV=1 npx electron-vite build`), failing any test whose page logs an error. Screenshots for
 * docs/: `TW_SCREENSHOTS=1 npx playwright test screenshots`.
 */
import { defineConfig } from '@playwright/test';

const electron = process.env.TW_E2E_ELECTRON === '1';
// Two runs in one checkout would wipe each other's artifacts (traces, failure screenshots) in a shared
// output folder; workers inherit this id from the runner, so one run keeps one folder.
process.env.TW_E2E_RUN_ID ??= `${Date.now().toString(36)}-${process.pid}`;

export default defineConfig({
  testDir: 'test/e2e',
  // Each test starts its own service (or app); the machine is small and shared.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  outputDir: `test-results/${process.env.TW_E2E_RUN_ID}`,
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 900 },
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
  projects: electron
    ? [{ name: 'electron' }]
    : [
        {
          name: 'chromium',
          use: {
            browserName: 'chromium',
            launchOptions: {
              executablePath: '/usr/bin/chromium',
              args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
            },
          },
        },
      ],
});
