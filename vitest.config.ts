import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The service and the tests import @token-warden/verifier as users do, from its build: rebuild it first
    // when its sources changed, so a test never runs yesterday's kit.
    // One throwaway PostgreSQL cluster per run for the PostgreSQL store's tests (skipped, with the reason, without it).
    globalSetup: ['test/helpers/build-verifier.ts', 'test/helpers/postgres.ts'],
    // The real-keychain suite needs a Secret Service; scripts/test.sh provides one.
    reporters: ['default'],
  },
});
