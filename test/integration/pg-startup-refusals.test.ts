/**
 * Start-up refusals of the real service process on PostgreSQL (issue 17, "Must show"): `npm run serve`'s entry
 * point with `--database` exits 1 with one clear line on stderr (no stack trace, nothing on stdout, never the
 * password) when the master key is wrong or missing, the database is unreachable (naming host:port and the
 * cause, ECONNREFUSED), or the database was written by a newer version (schema_too_new). Each leaves the
 * database as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PG_SCHEMA_VERSION } from '../../src/main/store/pg/migrations';
import { freePort } from '../helpers/cluster';
import { describePg, freshDatabase } from '../helpers/postgres';
import { runServeProcess, startServeProcess } from '../helpers/serve-process';

/** Empty counts as unset: a master key in the test runner's environment must not reach these starts. */
const ENV = { TOKEN_WARDEN_MASTER_KEY: '', TOKEN_WARDEN_DATABASE_URL: '' };

async function sql<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

/** The refusal's shape: exit 1, nothing on stdout but the log, one `token-warden: …` line last on stderr. */
function refusalLine(result: { code: number | null; stdout: string; stderr: string }): string {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout.trim()).toBe('');
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const line = result.stderr.trim().split('\n').at(-1)!;
  expect(line).toMatch(/^token-warden: /);
  return line;
}

describePg('start-up refusals of the service process on PostgreSQL', () => {
  let root: string;
  let database: string;
  let keyFile: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-pg-refusals-'));
    database = await freshDatabase();
    keyFile = path.join(root, 'master.key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    // One real start: the schema, the keys (sealed under keyFile's key) and its key-check record.
    const first = await startServeProcess(['--data-dir', path.join(root, 'first'), '--port', '0', '--database', database, '--key-store', 'database', '--master-key-file', keyFile], { env: ENV, timeoutMs: 90_000 });
    expect(await first.stop()).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const args = (dir: string, ...more: string[]) => ['--data-dir', path.join(root, dir), '--port', '0', '--database', database, '--key-store', 'database', ...more];
  const keyRows = () => sql<{ n: number }>(database, 'SELECT count(*)::int AS n FROM key_secrets');

  it('refuses a wrong master key, naming the file, and changes no key', async () => {
    const before = await keyRows();
    const wrong = path.join(root, 'wrong.key');
    await writeFile(wrong, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const line = refusalLine(await runServeProcess(args('wrong', '--master-key-file', wrong), ENV));
    expect(line).toMatch(/The master key file .*wrong\.key is not the one this database's private keys are encrypted with/);
    expect(await keyRows()).toEqual(before);
  });

  it('refuses --key-store database without a master key', async () => {
    const line = refusalLine(await runServeProcess(args('missing'), ENV));
    expect(line).toMatch(/--key-store database needs the master key .*--master-key-file FILE or set TOKEN_WARDEN_MASTER_KEY/);
  });

  it('refuses an unreachable database with host:port and the cause, never the password, leaving no data directory', async () => {
    const port = await freePort();
    const dir = path.join(root, 'unreachable');
    const result = await runServeProcess(['--data-dir', dir, '--port', '0', '--database', `postgres://warden:s3cret-pw@127.0.0.1:${port}/warden`, '--key-store', 'database', '--master-key-file', keyFile], ENV);
    const line = refusalLine(result);
    expect(line).toContain(`127.0.0.1:${port}`);
    expect(line).toContain('ECONNREFUSED');
    expect(`${result.stdout}${result.stderr}${JSON.stringify(result.logs)}`).not.toContain('s3cret-pw');
    // A failed first start removes the directory it created.
    expect(await readdir(root)).not.toContain('unreachable');
  });

  it('refuses a database written by a newer version (schema_too_new) and leaves it as it was', async () => {
    const newer = await freshDatabase();
    const first = await startServeProcess(['--data-dir', path.join(root, 'newer-first'), '--port', '0', '--database', newer, '--key-store', 'database', '--master-key-file', keyFile], { env: ENV, timeoutMs: 90_000 });
    expect(await first.stop()).toBe(0);
    await sql(newer, `INSERT INTO schema_version (version) VALUES (${PG_SCHEMA_VERSION + 1})`);
    const result = await runServeProcess(['--data-dir', path.join(root, 'newer'), '--port', '0', '--database', newer, '--key-store', 'database', '--master-key-file', keyFile], ENV);
    const line = refusalLine(result);
    expect(line).toContain(`The database was written by a newer version of Token Warden (schema ${PG_SCHEMA_VERSION + 1}; this build knows up to ${PG_SCHEMA_VERSION})`);
    expect(await sql(newer, 'SELECT max(version)::int AS v FROM schema_version')).toEqual([{ v: PG_SCHEMA_VERSION + 1 }]);
  }, 120_000);
});
