#!/usr/bin/env bash
# `npm test`: set up what is missing, then lint, typecheck, unit + integration tests (inside a throwaway
# Secret Service for the real-keychain tests), build the console, and run the Playwright scenarios in
# Debian's Chromium against the headless console: once on the production build, once on a development build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system --browser

step() { printf '\n== %s\n' "$*"; }
step "lint"
npx eslint .
step "typecheck"
npx tsc -p tsconfig.node.json --noEmit
npx tsc -p tsconfig.web.json --noEmit
step "unit and integration tests (real SQLite, real keychain, real HTTP)"
bash scripts/with-keyring.sh npx vitest run
if [ -f playwright.config.ts ]; then
  step "build the console"
  npx electron-vite build >/dev/null
  step "end-to-end scenarios (Chromium)"
  npx playwright test
  # Again against a development build of the console: React's own checks (StrictMode's double effects,
  # update-depth and hook errors, key warnings) turn bugs that production shows only now and then into
  # failures, and any error the page logs fails the test.
  step "build the console with React's development checks"
  TW_RENDERER_DEV=1 npx electron-vite build >/dev/null
  step "end-to-end scenarios again, React development build (Chromium)"
  TW_E2E_REACT_DEV=1 npx playwright test
fi
