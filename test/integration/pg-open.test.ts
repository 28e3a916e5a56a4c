/**
 * Opening PgStore: migrations under the advisory lock (three instances opening a fresh database at once migrate
 * it once), refusals (a newer schema, a foreign database, an unreachable server with the cause, a bad URL), the
 * statement timeout, and reconnecting after the server restarts without reopening the store.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION } from '../../src/main/store/pg/migrations';
import { openPgStore, type PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, destroyCluster, freshDatabase, openTestPgStore, sqlOnce, startCluster, type PostgresCluster } from '../helpers/postgres';

/** A loopback port nothing listens on (bound, then closed). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describePg('PgStore open', () => {
  it('migrates a fresh database once when three instances open it at the same time', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openPgStore({ url })));
    try {
      const applied = stores.map((store) => store.migrationsApplied);
      const all = PG_MIGRATIONS.map((m) => m.version);
      expect(applied.filter((versions) => versions.length > 0)).toEqual([all]);
      expect(applied.filter((versions) => versions.length === 0)).toHaveLength(2);
      const rows = await sqlOnce(url, 'SELECT version FROM schema_version ORDER BY version');
      expect(rows.rows.map((row: { version: number }) => row.version)).toEqual(all);
      expect(new Set(stores.map((store) => store.instanceId())).size).toBe(1);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    // Reopening finds it current.
    const again = await openPgStore({ url });
    expect(again.migrationsApplied).toEqual([]);
    await again.close();
  });

  it('refuses a database written by a newer version, without touching it', async () => {
    const url = await freshDatabase();
    await (await openPgStore({ url })).close();
    await sqlOnce(url, `INSERT INTO schema_version (version) VALUES (${PG_SCHEMA_VERSION + 1})`);
    await expect(openPgStore({ url })).rejects.toMatchObject({
      code: 'schema_too_new', message: expect.stringContaining(`schema ${PG_SCHEMA_VERSION + 1}`),
    });
    expect((await sqlOnce(url, 'SELECT max(version) AS v FROM schema_version')).rows[0]).toEqual({ v: PG_SCHEMA_VERSION + 1 });
  });

  it('refuses a database that holds another application\'s tables', async () => {
    const url = await freshDatabase();
    await sqlOnce(url, 'CREATE TABLE invoices (id int)');
    await expect(openPgStore({ url })).rejects.toMatchObject({ code: 'storage_error', message: expect.stringMatching(/none of Token Warden/) });
    expect((await sqlOnce(url, "SELECT to_regclass('schema_version') AS t")).rows[0]).toEqual({ t: null });
  });

  it('refuses an unreachable database with the cause, and never shows the password', async () => {
    const port = await closedPort();
    const error = await openPgStore({ url: `postgres://warden:s3cret-pw@127.0.0.1:${port}/warden` }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'storage_error', message: expect.stringContaining('ECONNREFUSED') });
    expect((error as Error).message).toContain(`127.0.0.1:${port}/warden`);
    expect((error as Error).message).not.toContain('s3cret-pw');
    await expect(openPgStore({ url: 'mysql://x@127.0.0.1/db' })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('names a missing database and a user who may not create the schema', async () => {
    const missing = new URL(await freshDatabase());
    missing.pathname = '/no_such_database';
    await expect(openPgStore({ url: missing.toString() })).rejects.toMatchObject({
      code: 'storage_error', message: expect.stringMatching(/no_such_database does not exist: database "no_such_database" does not exist/),
    });
    // PostgreSQL 15 lets only the database's owner create tables in public.
    const url = new URL(await freshDatabase());
    await sqlOnce(url.toString(), 'DO $$ BEGIN CREATE ROLE tw_limited LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$');
    url.username = 'tw_limited';
    await expect(openPgStore({ url: url.toString() })).rejects.toMatchObject({
      code: 'storage_error', message: expect.stringMatching(/could not be brought up to date: permission denied for schema public/),
    });
  });

  it('cancels a statement that runs past the statement timeout', async () => {
    const store = await openTestPgStore({ statementTimeoutMs: 100 });
    try {
      await expect(store.database.run('SELECT pg_sleep(2)')).rejects.toMatchObject({
        code: 'storage_error', message: expect.stringMatching(/statement timeout/), detail: expect.stringContaining('57014'),
      });
      // The pool's connection is fine afterwards.
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});

describePg('PgStore after the server restarts', () => {
  let cluster: PostgresCluster;
  let store: PgStore;
  beforeAll(async () => {
    // A private cluster: stopping the run's shared one would break other files' databases.
    // Commits wait for the log here: the test cluster's default (synchronous_commit off) may lose the last commit
    // to the immediate stop below, and this test reads it back after the restart.
    cluster = await startCluster({ synchronous_commit: 'on' });
    store = await openPgStore({ url: cluster.urlFor('postgres'), connectTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await store?.close();
    if (cluster) await destroyCluster(cluster);
  });

  it('ping fails while the server is down and succeeds again once it is back, without reopening', async () => {
    await store.putSetting('before', '1');
    await expect(store.ping()).resolves.toBeUndefined();
    await cluster.stop();
    await expect(store.ping()).rejects.toMatchObject({ code: 'storage_error', message: expect.stringMatching(/could not be reached/) });
    await expect(store.getSetting('before')).rejects.toMatchObject({ code: 'storage_error' });
    await cluster.start();
    await expect(store.ping()).resolves.toBeUndefined();
    expect(await store.getSetting('before')).toBe('1');
  });
});
