/**
 * Applies the PostgreSQL migrations (./migrations.ts) at open: on a connection of its own, under a session
 * advisory lock, each version in its own transaction, recorded in `schema_version`. Refuses a database that is
 * newer than this build or is not ours, before writing anything.
 */
import pg from 'pg';
import { WardenError } from '../../../shared/errors';
import { isConnectionFailure, toPgStoreError } from './db';
import { LOCK_NAMESPACE, LOCKS, PG_MIGRATIONS, type PgMigration } from './migrations';

function checkOrder(migrations: readonly PgMigration[]): PgMigration[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  ordered.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version !== i + 1) throw new TypeError('migration versions must be 1, 2, 3, …');
  });
  return ordered;
}

/**
 * Refuses a database that is not ours or is newer than this build; returns its schema version (0: empty).
 * Reads only.
 */
async function currentVersion(client: pg.Client, latest: number): Promise<number> {
  const table = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_version') IS NOT NULL AS exists");
  if (!table.rows[0]?.exists) {
    const others = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = current_schema() AND c.relkind IN ($1, $2)',
      ['r', 'v']);
    if (Number(others.rows[0]?.n ?? 0) > 0) {
      throw new WardenError('storage_error', 'The database has tables but none of Token Warden\'s: give Token Warden an empty database of its own.');
    }
    return 0;
  }
  const row = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_version');
  const version = row.rows[0]?.version ?? 0;
  if (version > latest) {
    throw new WardenError('schema_too_new',
      `The database was written by a newer version of Token Warden (schema ${version}; this build knows up to ${latest}). Upgrade Token Warden to use it.`);
  }
  return version;
}

/**
 * Connects once (no statement timeout: an index build may take long, and so may waiting for another instance's
 * migration), takes the migration lock, applies the missing versions and releases the lock. Returns the
 * versions applied: empty when the schema was current.
 * @throws WardenError `schema_too_new`; `storage_error` (unreachable, with the cause; not our database)
 */
export async function runMigrations(url: string, where: string, migrations: readonly PgMigration[] = PG_MIGRATIONS,
  connectTimeoutMs = 10_000): Promise<number[]> {
  const ordered = checkOrder(migrations);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, application_name: 'token-warden migrate' });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw toPgStoreError(error, where);
  }
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrate]);
    try {
      const current = await currentVersion(client, ordered.length);
      await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const applied: number[] = [];
      for (const migration of ordered) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [migration.version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      // Also released when the connection closes; unlocking explicitly lets a waiting instance go on at once.
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, LOCKS.migrate]).catch(() => {});
    }
  } catch (error) {
    if (error instanceof WardenError || error instanceof TypeError) throw error;
    throw isConnectionFailure(error) ? toPgStoreError(error, where)
      : new WardenError('storage_error', `The database schema could not be brought up to date: ${(error as Error).message}.`, { detail: String(error) });
  } finally {
    await client.end().catch(() => {});
  }
}
