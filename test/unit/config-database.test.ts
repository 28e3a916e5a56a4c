/**
 * `--database URL` / TOKEN_WARDEN_DATABASE_URL: a PostgreSQL URL, checked without ever echoing it (it may carry a
 * password), declared secret, kept as a SecretText for startWarden (test/integration/pg-engine.test.ts starts on one
 * from the command line); not with --demo.
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

  it('takes a valid URL from the flag or the environment, kept as a secret that never prints', () => {
    const url = 'postgres://warden:hunter2@db.internal:5432/warden';
    for (const env of [{}, { TOKEN_WARDEN_DATABASE_URL: url }]) {
      const config = parseWardenArgs('TOKEN_WARDEN_DATABASE_URL' in env ? [] : ['--database', url], env);
      expect(config.database?.reveal()).toBe(url);
      expect(JSON.stringify(config)).not.toContain('hunter2');
      expect(String(config.database)).not.toContain('hunter2');
    }
    expect(parseWardenArgs([], { TOKEN_WARDEN_DATABASE_URL: '' }).database).toBeUndefined();
    expect(parseWardenArgs([], {}).database).toBeUndefined();
  });

  it('the flag wins over the environment', () => {
    const config = parseWardenArgs(['--database', 'postgres://warden@flag.internal/warden'], { TOKEN_WARDEN_DATABASE_URL: 'postgres://warden@env.internal/warden' });
    expect(config.database?.reveal()).toBe('postgres://warden@flag.internal/warden');
  });

  it('refuses --demo with a database: the demo keeps a throwaway SQLite store', () => {
    const message = messageOf(() => parseWardenArgs(['--demo', '--database', 'postgres://warden:hunter2@db/warden'], {}));
    expect(message).toMatch(/--demo keeps its data in a throwaway SQLite database/);
    expect(message).not.toContain('hunter2');
  });
});
