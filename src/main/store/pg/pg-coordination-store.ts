/**
 * `CoordinationStore` on PostgreSQL (../coordination-store.ts): what lets several instances on one database act
 * as one service where rows alone do not.
 * - `lock`: a transaction-scoped advisory lock (`pg_advisory_xact_lock`), released by PostgreSQL at commit or
 *   rollback (also when the instance dies: its connection ends). A statement after it gets a new READ
 *   COMMITTED snapshot, so it sees what the previous holder committed.
 * - `claimRun`: a compare-and-set on a `meta` row (`job:<name>` = the last run's time, by the database's
 *   clock): one statement, so of instances asking at once the first writes and the others find it fresh.
 * - attempt leases: rows of `attempt_leases` (migration 4) with an expiry; every decision on a key holds an
 *   advisory lock on that key for its transaction, so decisions are taken one at a time deployment-wide.
 */
import { randomBytes } from 'node:crypto';
import type { AttemptLeaseStore, CoordinatedJob, CoordinationLock, CoordinationStore, LeaseDecision } from '../coordination-store';
import type { FeedPresenceStore } from '../feed-presence-store';
import type { UnknownNameStore } from '../unknown-name-store';
import type { Db } from './db';
import { PgUnknownNameStore } from './pg-unknown-name-store';
import { PgFeedPresenceStore } from './pg-feed-presence-store';
import { LOCK_NAMESPACE as NAMESPACE } from './migrations';

/** Beside the other keys of NAMESPACE (./migrations.ts LOCKS: 1 to 3). */
const LOCKS: Record<CoordinationLock, number> = { keys: 10, settings: 11 };
/** Attempt keys are hashed (hashtext) into a namespace of their own. */
const ATTEMPT_NAMESPACE = 0x54575245;
/** Now in ms by the database's clock: the one clock every instance agrees on. */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

export class PgCoordinationStore implements CoordinationStore {
  readonly attemptLeases: AttemptLeaseStore;
  readonly unknownNames: UnknownNameStore;
  readonly feedPresence: FeedPresenceStore;

  constructor(private readonly db: Db) {
    this.attemptLeases = new PgAttemptLeases(db);
    this.unknownNames = new PgUnknownNameStore(db);
    this.feedPresence = new PgFeedPresenceStore(db);
  }

  async lock(name: CoordinationLock): Promise<void> {
    if (!this.db.inTransaction()) throw new TypeError('lock() belongs inside a transaction (it is held until that transaction ends)');
    await this.db.run('SELECT pg_advisory_xact_lock($1, $2)', [NAMESPACE, LOCKS[name]]);
  }

  async claimRun(job: CoordinatedJob, periodMs: number): Promise<boolean> {
    if (!Number.isSafeInteger(periodMs) || periodMs < 0) throw new TypeError('claimRun: periodMs must be a non-negative integer');
    // A row another instance is writing right now is waited for, then its new value decides (READ COMMITTED).
    const claimed = await this.db.run(`INSERT INTO meta (key, value) VALUES ($1, ${DB_NOW}::text)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE meta.value::bigint <= excluded.value::bigint - $2`,
    [`job:${job}`, periodMs]);
    return claimed === 1;
  }
}

class PgAttemptLeases implements AttemptLeaseStore {
  constructor(private readonly db: Db) {}

  decide(key: string, leaseMs: number, admits: (inFlight: number) => Promise<boolean> | boolean): Promise<LeaseDecision> {
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) throw new TypeError('decide: leaseMs must be a positive integer');
    return this.db.transaction(async () => {
      await this.db.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ATTEMPT_NAMESPACE, key]);
      const row = await this.db.row<{ n: number }>(`SELECT count(*) AS n FROM attempt_leases WHERE key = $1 AND expires_at > ${DB_NOW}`, [key]);
      const inFlight = row?.n ?? 0;
      // Asked inside the transaction: its reads (the user's recorded failures) are the newest committed ones.
      if (!(await admits(inFlight))) return { lease: undefined, inFlight };
      const lease = randomBytes(12).toString('base64url');
      await this.db.run(`INSERT INTO attempt_leases (id, key, expires_at) VALUES ($1, $2, ${DB_NOW} + $3)`, [lease, key, leaseMs]);
      return { lease, inFlight };
    });
  }

  async lock(key: string): Promise<void> {
    if (!this.db.inTransaction()) throw new TypeError('lock() belongs inside a transaction (it is held until that transaction ends)');
    await this.db.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ATTEMPT_NAMESPACE, key]);
  }

  async release(lease: string): Promise<void> {
    await this.db.run('DELETE FROM attempt_leases WHERE id = $1', [lease]);
  }

  purgeExpired(): Promise<number> {
    return this.db.run(`DELETE FROM attempt_leases WHERE expires_at <= ${DB_NOW}`);
  }
}
