/**
 * `BackchannelOutboxStore` on PostgreSQL (table in ./sub-store-schema.ts): the semantics of
 * ../sqlite-backchannel-outbox-store.ts, written so that its claims hold across connections and processes:
 * - claimDue picks due rows with `FOR UPDATE SKIP LOCKED`: a row another transaction is claiming (or settling)
 *   right now is skipped, not waited for, and a row another claimer committed meanwhile is re-checked against
 *   the due condition (READ COMMITTED re-reads a locked row's newest version) and dropped: each row is leased
 *   by one claimer at a time. Its lease is, as in SQLite, its next attempt moved to the lease's end, so a
 *   claimer that dies leaves the row due exactly then (the due index alone finds it).
 * - settle is a compare-and-set on "still pending": of two reports on one row, the second changes nothing.
 */
import type { AttemptResult, BackchannelOutboxStore, OutboxInsert, OutboxRow } from '../backchannel-outbox-store';
import { columns, type SqlRunner } from './sub-store-sql';

const OUTBOX_COLUMNS = {
  id: 'id', jti: 'jti', clientId: 'client_id', uri: 'uri', sessionId: 'session_id', userId: 'user_id', revocationId: 'revocation_id',
  createdAt: 'created_at', attempts: 'attempts', nextAttemptAt: 'next_attempt_at', giveUpAt: 'give_up_at', leaseUntil: 'lease_until',
  deliveredAt: 'delivered_at', failedAt: 'failed_at', lastStatus: 'last_status', lastError: 'last_error',
};
const OUTBOX = columns(OUTBOX_COLUMNS);
const RETURNED = columns(OUTBOX_COLUMNS, 'o');
const PENDING = 'delivered_at IS NULL AND failed_at IS NULL';
/** Kept short: it is shown in the console and audited, and a receiver's error page can be long. */
const MAX_ERROR_LENGTH = 300;

export class PgBackchannelOutboxStore implements BackchannelOutboxStore {
  constructor(private readonly db: SqlRunner) {}

  async insert(row: OutboxInsert): Promise<number> {
    const [inserted] = await this.db.rows<{ id: number }>(`INSERT INTO backchannel_outbox (jti, client_id, uri, session_id, user_id, revocation_id,
      created_at, next_attempt_at, give_up_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [row.jti, row.clientId, row.uri, row.sessionId, row.userId, row.revocationId, row.createdAt, row.nextAttemptAt, row.giveUpAt]);
    return inserted!.id;
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    return (await this.db.rows<OutboxRow>(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE id = $1`, [id]))[0];
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('claimDue: limit must be a positive integer');
    // The pick is a materialized CTE: as `id IN (SELECT … LIMIT n)` the planner may run the subquery more
    // than once (a semi-join rescan), each run skipping other rows, and lease more than `limit`.
    const rows = await this.db.rows<OutboxRow>(`WITH picked AS MATERIALIZED (SELECT id FROM backchannel_outbox
        WHERE ${PENDING} AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      UPDATE backchannel_outbox o SET lease_until = $2, next_attempt_at = $2, attempts = o.attempts + 1
      FROM picked WHERE o.id = picked.id RETURNING ${RETURNED}`, [now, leaseUntil, limit]);
    return rows.sort((a, b) => a.id - b.id);
  }

  async settle(id: number, result: AttemptResult): Promise<boolean> {
    const error = result.kind === 'delivered' ? null : result.error.slice(0, MAX_ERROR_LENGTH);
    let changed: number;
    if (result.kind === 'delivered') {
      changed = await this.db.run(`UPDATE backchannel_outbox SET delivered_at = $2, lease_until = NULL, last_status = $3, last_error = NULL
        WHERE id = $1 AND ${PENDING}`, [id, result.at, result.status]);
    } else if (result.kind === 'failed') {
      changed = await this.db.run(`UPDATE backchannel_outbox SET failed_at = $2, lease_until = NULL, last_status = $3, last_error = $4
        WHERE id = $1 AND ${PENDING}`, [id, result.at, result.status, error]);
    } else {
      changed = await this.db.run(`UPDATE backchannel_outbox SET next_attempt_at = $2, lease_until = NULL, last_status = $3, last_error = $4
        WHERE id = $1 AND ${PENDING}`, [id, result.nextAttemptAt, result.status, error]);
    }
    return changed === 1;
  }

  async nextDueAt(): Promise<number | undefined> {
    // ORDER BY … LIMIT 1 rather than min(): one step into the partial due index.
    const [row] = await this.db.rows<{ due: number }>(`SELECT next_attempt_at AS due FROM backchannel_outbox WHERE ${PENDING}
      ORDER BY next_attempt_at LIMIT 1`);
    return row?.due;
  }

  async pendingCount(): Promise<number> {
    // Counted on the partial index of pending rows: as cheap as the queue is short.
    const [row] = await this.db.rows<{ n: number }>(`SELECT count(*) AS n FROM backchannel_outbox WHERE ${PENDING}`);
    return row!.n;
  }

  listByRevocation(revocationId: number, limit: number): Promise<OutboxRow[]> {
    return this.db.rows(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE revocation_id = $1 ORDER BY id LIMIT $2`, [revocationId, limit]);
  }

  listBySession(sessionId: string): Promise<OutboxRow[]> {
    return this.db.rows(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE session_id = $1 ORDER BY id`, [sessionId]);
  }
}
