#!/usr/bin/env bash
# `npm test`: set up what is missing, then lint, typecheck, unit + integration tests (inside a throwaway
# Secret Service for the real-keychain tests), build the console, and run the Playwright scenarios in
# Debian's Chromium against the headless console.
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
fi
