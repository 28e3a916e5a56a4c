/**
 * The audit chain seen from several instances (area H2; docs/postgres.md, Several instances): the head a
 * writer chains onto, and the entries after a seq, which an instance reads to show the console what the other
 * instances audited. On SQLite (one process) the engine keeps the head in memory and never calls `lockedHead`.
 */
import type { AuditEntry } from '../../shared/dto';

export interface AuditTailStore {
  /**
   * Inside a write transaction: takes the audit lock (PostgreSQL: the advisory xact lock appendAudit takes,
   * held to commit, so no other instance appends meanwhile) and returns the last entry's seq and hash, or
   * undefined on an empty log. A writer chains onto it, never onto a head it remembered. The transaction's
   * commit announces 'audit' to every instance (Store.changes): whoever takes the head appends.
   */
  lockedHead(): Promise<{ seq: number; hash: string } | undefined>;
  /** Entries with seq > afterSeq, in seq order, at most `limit`. */
  after(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}
