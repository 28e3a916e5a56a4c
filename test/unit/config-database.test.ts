/**
 * `--database URL` / TOKEN_WARDEN_DATABASE_URL: a PostgreSQL URL, checked without ever echoing it (it may carry a
 * password), declared secret, and refused at start until the engine passes its suites on PostgreSQL (docs/postgres.md; startWarden
 * itself takes a SecretText, which test/integration/pg-engine.test.ts uses); not with --demo.
 */
import { describe, expect, it } from 'vitest';
import { flagList, parseWardenArgs } from '../../src/main/config';

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

describe('--database', () => {
  it('is declared with its environment variable and as a secret', () => {
    expect(flagList().find((flag) => flag.flag === '--database')).toMatchObject({ value: 'URL', env: 'TOKEN_WARDEN_DATABASE_URL', secret: true });
  });

  it('refuses what is not a PostgreSQL URL without showing the value', () => {
    for (const url of ['mysql://warden:hunter2@db/warden', 'warden:hunter2@db', 'postgres://:hunter2@/']) {
      const message = messageOf(() => parseWardenArgs(['--database', url], {}));
      expect(message).toMatch(/--database must be a PostgreSQL URL/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('refuses a start with a valid URL from the flag or the environment, without echoing it: the engine is not ready on PostgreSQL', () => {
    const url = 'postgres://warden:hunter2@db.internal:5432/warden';
    for (const run of [() => parseWardenArgs(['--database', url], {}), () => parseWardenArgs([], { TOKEN_WARDEN_DATABASE_URL: url })]) {
      const message = messageOf(run);
      expect(message).toMatch(/does not pass all its tests on PostgreSQL yet/);
      expect(message).not.toContain('hunter2');
    }
    expect(parseWardenArgs([], { TOKEN_WARDEN_DATABASE_URL: '' }).database).toBeUndefined();
  });

  it('refuses --demo with a database: the demo keeps a throwaway SQLite store', () => {
    const message = messageOf(() => parseWardenArgs(['--demo', '--database', 'postgres://warden:hunter2@db/warden'], {}));
    expect(message).toMatch(/--demo keeps its data in a throwaway SQLite database/);
    expect(message).not.toContain('hunter2');
  });
});
