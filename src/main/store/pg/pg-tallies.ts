/**
 * Counters, minute buckets and row counts on PostgreSQL (see `tally_deltas` in ./migrations.ts): every change is
 * an inserted delta, so no increment waits for another transaction's lock; a read sums the folded `tallies` and
 * the deltas not folded yet in one statement (one snapshot: a fold committing meanwhile is seen whole or not at
 * all). `fold` moves deltas into `tallies`; any instance may run it at any time, concurrent folds included.
 */
import type { CounterName, MinuteBucket } from '../store';
import type { Db } from './db';

/** Counters and their minute-bucket column (null: no bucket, like SQLite's reuse_alerts). */
const BUCKET_COLUMN: Record<CounterName, keyof Omit<MinuteBucket, 'minute'> | null> = {
  tokens_issued: 'issued', refreshes: 'refreshed', revocations: 'revoked', reuse_alerts: null,
};
const COUNTERS = Object.keys(BUCKET_COLUMN) as CounterName[];
const BUCKETED = COUNTERS.filter((name) => BUCKET_COLUMN[name] !== null);

/** The row counts the triggers keep (migration 1). */
export type RowCountName = 'users' | 'users_blocked' | 'sessions' | 'sessions_revoked';

const FOLD_BATCH = 10_000;

export async function incrementCounter(db: Db, name: CounterName, by: number, at: number): Promise<void> {
  const column = BUCKET_COLUMN[name];
  if (column === undefined) throw new TypeError(`unknown counter "${String(name)}"`);
  if (!Number.isSafeInteger(by)) throw new TypeError('by must be an integer');
  // A bucketed counter's total is the sum of its buckets: one delta row carries both.
  const minute = column === null ? 0 : Math.floor(at / 60_000) * 60_000;
  await db.run('INSERT INTO tally_deltas (name, minute, delta) VALUES ($1, $2, $3)', [name, minute, by]);
}

export async function getCounters(db: Db): Promise<Record<CounterName, number>> {
  const counters: Record<CounterName, number> = { tokens_issued: 0, refreshes: 0, revocations: 0, reuse_alerts: 0 };
  const rows = await db.rows<{ name: CounterName; value: number }>(`SELECT name, sum(value)::bigint AS value FROM (
    SELECT name, value FROM tallies WHERE name = ANY($1::text[])
    UNION ALL SELECT name, delta FROM tally_deltas WHERE name = ANY($1::text[])) t GROUP BY name`, [COUNTERS]);
  for (const row of rows) counters[row.name] = row.value;
  return counters;
}

/** Buckets with minute >= since, ascending. */
export async function listMinuteBuckets(db: Db, since: number): Promise<MinuteBucket[]> {
  const sums = BUCKETED.map((name) => `sum(CASE WHEN name = '${name}' THEN value ELSE 0 END)::bigint AS ${BUCKET_COLUMN[name]}`);
  return db.rows<MinuteBucket>(`SELECT minute, ${sums.join(', ')} FROM (
    SELECT name, minute, value FROM tallies WHERE name = ANY($1::text[]) AND minute >= $2
    UNION ALL SELECT name, minute, delta FROM tally_deltas WHERE name = ANY($1::text[]) AND minute >= $2) t
    GROUP BY minute ORDER BY minute`, [BUCKETED, since]);
}

export async function rowCount(db: Db, name: RowCountName): Promise<number> {
  const row = await db.row<{ n: number }>(`SELECT (coalesce((SELECT value FROM tallies WHERE name = $1 AND minute = 0), 0)
    + coalesce((SELECT sum(delta) FROM tally_deltas WHERE name = $1 AND minute = 0), 0))::bigint AS n`, [name]);
  return row?.n ?? 0;
}

/**
 * Moves up to FOLD_BATCH of the oldest deltas into `tallies` in one statement; returns how many it moved. A
 * delta another fold is moving is waited for, then skipped (already gone); sums are applied in key order, so
 * two folds never wait for each other in a circle.
 */
export async function fold(db: Db): Promise<number> {
  const row = await db.row<{ n: number }>(`WITH moved AS (
      DELETE FROM tally_deltas WHERE id IN (SELECT id FROM tally_deltas ORDER BY id LIMIT ${FOLD_BATCH})
      RETURNING name, minute, delta),
    sums AS (SELECT name, minute, sum(delta)::bigint AS value, count(*) AS n FROM moved GROUP BY name, minute),
    applied AS (INSERT INTO tallies (name, minute, value) SELECT name, minute, value FROM sums ORDER BY name, minute
      ON CONFLICT (name, minute) DO UPDATE SET value = tallies.value + excluded.value RETURNING 1)
    SELECT coalesce(sum(n), 0)::bigint AS n FROM sums`);
  return row?.n ?? 0;
}
