/**
 * One Token Warden instance per PostgreSQL database, until the multi-instance step (docs/postgres.md, Status):
 * an instance's memory (the revocation feed, the client cache, the audit chain's head, leader jobs) is not yet
 * shared with other instances, so a second one on the same data would serve stale answers.
 *
 * The instance holds a session-level advisory lock (LOCK_NAMESPACE, LOCKS.instance) on a connection of its own
 * for its whole life: PostgreSQL releases it when that connection ends, so a crashed instance (or a dropped
 * network) never leaves the database locked. `pg_try_advisory_lock` never waits: a second start is refused at
 * once with `database_in_use`.
 */
import pg from 'pg';
import { WardenError } from '../../../shared/errors';
import { describeUrl } from './db';
import { LOCKS, LOCK_NAMESPACE } from './migrations';

export interface InstanceLock {
  /** Ends the lock's connection (and so the lock). Idempotent. */
  release(): Promise<void>;
}

export async function takeInstanceLock(url: string, connectTimeoutMs = 10_000): Promise<InstanceLock> {
  const where = describeUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, application_name: 'token-warden instance' });
  // A lost connection loses the lock; without a listener its 'error' would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new WardenError('storage_error', `Cannot connect to the PostgreSQL database ${where}: ${(error as Error).message}`);
  }
  let held = false;
  try {
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS held', [LOCK_NAMESPACE, LOCKS.instance]);
    held = rows[0]?.held === true;
  } catch (error) {
    await client.end().catch(() => {});
    throw new WardenError('storage_error', `Cannot lock the PostgreSQL database ${where}: ${(error as Error).message}`);
  }
  if (!held) {
    await client.end().catch(() => {});
    throw new WardenError('database_in_use',
      `Another Token Warden instance runs on the PostgreSQL database ${where}. This build runs one instance per database ` +
      '(several instances on one database come with a later version): stop the other one first, or use another database.');
  }
  let ended: Promise<void> | undefined;
  return { release: () => (ended ??= client.end().catch(() => {})) };
}
