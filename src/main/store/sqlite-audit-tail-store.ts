/** `AuditTailStore` on the SqliteStore's connection (one writer at a time: the write transaction is the lock). */
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../shared/dto';
import type { AuditTailStore } from './audit-tail-store';
import { checkLimit } from './store-arguments';

const AUDIT = `seq, at, type, actor, user_id AS userId, session_id AS sessionId, reason, data,
  prev_hash AS prevHash, hash`;

export class SqliteAuditTailStore implements AuditTailStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async lockedHead(): Promise<{ seq: number; hash: string } | undefined> {
    return this.q('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  }

  async after(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    const rows = this.q(`SELECT ${AUDIT} FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`).all(afterSeq, limit) as (Omit<AuditEntry, 'data'> & { data: string })[];
    return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
  }
}
