/**
 * The back-channel logout outbox (OpenID Connect Back-Channel Logout 1.0): one row per logout token owed to a
 * client, inserted in the same transaction as the revocation that ends the session, so a crash or a restart
 * loses none. Rows are claimed with a lease (`leaseUntil`) before each attempt, so several processes sharing
 * one database never attempt the same row at once, and a process that dies mid-attempt leaves a row that
 * another (or its own restart) takes over once the lease has run out.
 */

export interface OutboxRow {
  id: number;
  /** The logout token's `jti`: the same on every attempt, so a receiver can drop a repeat. */
  jti: string;
  clientId: string;
  /** The client's `backchannelLogoutUri` when the session ended (a later change does not redirect it). */
  uri: string;
  sessionId: string;
  userId: string;
  /** The revocation-feed event that carried the same change to resource servers, when there was one. */
  revocationId: number | null;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  /** After this instant no attempt is made: the row fails. */
  giveUpAt: number;
  leaseUntil: number | null;
  deliveredAt: number | null;
  failedAt: number | null;
  /** The HTTP status of the last attempt; null when it got no answer (refused, timed out). */
  lastStatus: number | null;
  lastError: string | null;
}

export type OutboxInsert = Pick<OutboxRow, 'jti' | 'clientId' | 'uri' | 'sessionId' | 'userId' | 'revocationId' | 'createdAt' | 'nextAttemptAt' | 'giveUpAt'>;

/** What one attempt ended in. `delivered`/`failed` settle the row; `retry` schedules the next attempt. */
export type AttemptResult =
  | { kind: 'delivered'; at: number; status: number }
  | { kind: 'failed'; at: number; status: number | null; error: string }
  | { kind: 'retry'; at: number; status: number | null; error: string; nextAttemptAt: number };

export interface BackchannelOutboxStore {
  insert(row: OutboxInsert): Promise<number>;
  get(id: number): Promise<OutboxRow | undefined>;
  /**
   * Leases up to `limit` rows that are due at `now` (pending, next attempt reached, no live lease) until
   * `leaseUntil`, oldest due first, and counts the attempt. Run inside a write transaction: the claim is a
   * compare-and-set, so two claimers never get the same row.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<OutboxRow[]>;
  /** Records an attempt's result; false when the row was already settled (then nothing changes). */
  settle(id: number, result: AttemptResult): Promise<boolean>;
  /** The earliest instant a pending row becomes claimable (its next attempt, or its lease's end), if any. */
  nextDueAt(): Promise<number | undefined>;
  /**
   * How many rows are pending (neither delivered nor failed): the queue depth the metrics report. Optional
   * while the PostgreSQL sub-store catches up (absent: the gauge has no sample).
   */
  pendingCount?(): Promise<number>;
  /** Every row owed for one feed event, oldest first, at most `limit`. */
  listByRevocation(revocationId: number, limit: number): Promise<OutboxRow[]>;
  /** Rows of one session, oldest first (a session ends once, but the test and the console ask). */
  listBySession(sessionId: string): Promise<OutboxRow[]>;
}
