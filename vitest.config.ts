import { defineConfig } from 'vitest/config';

// Options every project shares (projects do not inherit the root's test options: see below).
const shared = {
  pool: 'forks',
  testTimeout: 20_000,
  hookTimeout: 30_000,
} as const;

export default defineConfig({
  test: {
    // The service and the tests import @token-warden/verifier as users do, from its build: rebuild it first
    // when its sources changed, so a test never runs yesterday's kit.
    // One throwaway PostgreSQL cluster per run for the PostgreSQL tests (skipped, with the reason, without it).
    // Here at the root, not in the projects: a project that extends the root runs the root's globalSetup again
    // (a second cluster, a second build), while the root's values (`provide`) reach every project.
    globalSetup: ['test/helpers/build-verifier.ts', 'test/helpers/postgres.ts'],
    // The real-keychain suite needs a Secret Service; scripts/test.sh provides one.
    reporters: ['default'],
    projects: [
      { test: { ...shared, name: 'default', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'] } },
      // The engine's own suites again, on PostgreSQL (the harness, test/unit/engine/harness.ts, reads
      // TW_ENGINE_STORE); skipped with the reason when the run has no PostgreSQL (the setup file).
      {
        test: {
          ...shared,
          name: 'engine-postgres',
          include: ['test/unit/engine/**/*.test.ts'],
          env: { TW_ENGINE_STORE: 'postgres' },
          setupFiles: ['test/unit/engine/postgres-pass.ts'],
        },
      },
    ],
  },
});
