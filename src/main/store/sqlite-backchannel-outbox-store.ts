/**
 * `BackchannelOutboxStore` on better-sqlite3, sharing the main store's connection (and so its transactions).
 * Statements are prepared once and cached here; every query is served by one of the outbox's indexes
 * (migrations.ts V5).
 */
import type Database from 'better-sqlite3';
import type { AttemptResult, BackchannelOutboxStore, OutboxInsert, OutboxRow } from './backchannel-outbox-store';

const OUTBOX = `id, jti, client_id AS clientId, uri, session_id AS sessionId, user_id AS userId,
  revocation_id AS revocationId, created_at AS createdAt, attempts, next_attempt_at AS nextAttemptAt,
  give_up_at AS giveUpAt, lease_until AS leaseUntil, delivered_at AS deliveredAt, failed_at AS failedAt,
  last_status AS lastStatus, last_error AS lastError`;
const PENDING = 'delivered_at IS NULL AND failed_at IS NULL';
/** Kept short: it is shown in the console and audited, and a receiver's error page can be long. */
const MAX_ERROR_LENGTH = 300;

export class SqliteBackchannelOutboxStore implements BackchannelOutboxStore {
  /** @param q the store's cached statement preparer (one statement cache for the connection) */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async insert(row: OutboxInsert): Promise<number> {
    const result = this.q(`INSERT INTO backchannel_outbox (jti, client_id, uri, session_id, user_id, revocation_id,
      created_at, next_attempt_at, give_up_at) VALUES (@jti, @clientId, @uri, @sessionId, @userId, @revocationId,
      @createdAt, @nextAttemptAt, @giveUpAt)`).run(row);
    return Number(result.lastInsertRowid);
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    return this.q(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE id = ?`).get(id) as OutboxRow | undefined;
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError('claimDue: limit must be a positive integer');
    // The next attempt moves to the lease's end too: a claimer that dies leaves the row due exactly then,
    // and the due index alone finds it.
    const rows = this.q(`UPDATE backchannel_outbox SET lease_until = @leaseUntil, next_attempt_at = @leaseUntil,
      attempts = attempts + 1 WHERE id IN (SELECT id FROM backchannel_outbox WHERE ${PENDING}
      AND next_attempt_at <= @now ORDER BY next_attempt_at, id LIMIT @limit) RETURNING ${OUTBOX}`)
      .all({ now, leaseUntil, limit }) as OutboxRow[];
    return rows.sort((a, b) => a.id - b.id);
  }

  async settle(id: number, result: AttemptResult): Promise<boolean> {
    const error = result.kind === 'delivered' ? null : result.error.slice(0, MAX_ERROR_LENGTH);
    const params = { id, status: result.status, error };
    let sql: string;
    if (result.kind === 'delivered') {
      sql = `UPDATE backchannel_outbox SET delivered_at = @at, lease_until = NULL, last_status = @status, last_error = NULL WHERE id = @id AND ${PENDING}`;
    } else if (result.kind === 'failed') {
      sql = `UPDATE backchannel_outbox SET failed_at = @at, lease_until = NULL, last_status = @status, last_error = @error WHERE id = @id AND ${PENDING}`;
    } else {
      sql = `UPDATE backchannel_outbox SET next_attempt_at = @next, lease_until = NULL, last_status = @status, last_error = @error WHERE id = @id AND ${PENDING}`;
    }
    const extra = result.kind === 'retry' ? { next: result.nextAttemptAt } : { at: result.at };
    return this.q(sql).run({ ...params, ...extra }).changes === 1;
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = this.q(`SELECT MIN(next_attempt_at) AS due FROM backchannel_outbox WHERE ${PENDING}`).get() as { due: number | null };
    return row.due ?? undefined;
  }

  async pendingCount(): Promise<number> {
    // Counted on the partial index of pending rows: as cheap as the queue is short.
    return (this.q(`SELECT COUNT(*) AS n FROM backchannel_outbox WHERE ${PENDING}`).get() as { n: number }).n;
  }

  async listByRevocation(revocationId: number, limit: number): Promise<OutboxRow[]> {
    return this.q(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE revocation_id = ? ORDER BY id LIMIT ?`).all(revocationId, limit) as OutboxRow[];
  }

  async listBySession(sessionId: string): Promise<OutboxRow[]> {
    return this.q(`SELECT ${OUTBOX} FROM backchannel_outbox WHERE session_id = ? ORDER BY id`).all(sessionId) as OutboxRow[];
  }
}
