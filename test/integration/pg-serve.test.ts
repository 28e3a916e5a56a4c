/**
 * `--database URL` from the command line: a real headless process (`src/main/headless.ts`, through the config
 * parser, not startWarden's options) starts on a fresh PostgreSQL database, serves, keeps its data there (no
 * warden.db), never prints the URL's password, and a second start given the URL in TOKEN_WARDEN_DATABASE_URL finds
 * the same keys. (test/integration/pg-engine.test.ts drives startWarden itself.)
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describePg, dropDatabase, freshDatabase } from '../helpers/postgres';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';

describePg('the command line on PostgreSQL (--database)', () => {
  let root: string;
  let url: string;
  const running: ServeProcess[] = [];
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-pg-serve-'));
    url = await freshDatabase();
  });
  afterEach(async () => {
    for (const service of running.splice(0)) await service.stop();
    await rm(root, { recursive: true, force: true });
    await dropDatabase(url);
  });

  /** The test cluster trusts loopback, so a password in the URL is never checked: here it only has to stay unprinted. */
  const withPassword = () => {
    const withSecret = new URL(url);
    withSecret.password = 'hunter2';
    return withSecret.toString();
  };
  const keysIn = async (): Promise<string[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ kid: string }>('SELECT kid FROM signing_keys ORDER BY kid')).rows.map((row) => row.kid);
    } finally {
      await client.end();
    }
  };
  const jwksKids = async (service: ServeProcess): Promise<string[]> => {
    const response = await fetch(`${service.url}/oauth/jwks`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort();
  };

  it('starts from the flag, serves, keeps its data in the database and never prints the password; the environment variable starts it again on the same data', async () => {
    const dataDir = path.join(root, 'data');
    const env = { TOKEN_WARDEN_MASTER_KEY: randomBytes(32).toString('base64') };
    const first = await startServeProcess(['--data-dir', dataDir, '--key-store', 'database', '--database', withPassword(), '--log-level', 'warn'], { env });
    running.push(first);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    const kids = await jwksKids(first);
    expect(kids.length).toBeGreaterThan(0);
    // The keys are rows of the PostgreSQL database, and there is no SQLite file beside the data directory's lock.
    expect((await keysIn()).sort()).toEqual(expect.arrayContaining(kids));
    expect(existsSync(path.join(dataDir, 'warden.db'))).toBe(false);
    const configuration = await first.waitForLog((event) => event.msg === 'effective configuration');
    expect(JSON.stringify(configuration)).toContain('"flag":"database"');
    const printed = [...first.stdout, ...first.logs.map((event) => JSON.stringify(event)), first.stderr()].join('\n');
    expect(printed).not.toContain('hunter2');
    expect(await first.stop()).toBe(0);
    running.splice(running.indexOf(first), 1);

    const again = await startServeProcess(['--data-dir', dataDir, '--key-store', 'database', '--log-level', 'warn'], { env: { ...env, TOKEN_WARDEN_DATABASE_URL: withPassword() } });
    running.push(again);
    expect(await jwksKids(again)).toEqual(kids);
    expect([...again.stdout, ...again.logs.map((event) => JSON.stringify(event)), again.stderr()].join('\n')).not.toContain('hunter2');
  });
});
