/** `AuditTailStore` on PostgreSQL: the audit lock is the advisory xact lock appendAudit takes (./migrations.ts, LOCKS). */
import type { AuditEntry } from '../../../shared/dto';
import type { AuditTailStore } from '../audit-tail-store';
import { checkLimit } from '../store-arguments';
import { AUDIT_COLUMNS, selectList } from './pg-columns';
import { LOCKS, LOCK_NAMESPACE } from './migrations';
import { CHANGES_CHANNEL } from './pg-changes';
import type { Db } from './db';
import type { SqlRunner } from './sub-store-sql';

const AUDIT = selectList(AUDIT_COLUMNS);

export class PgAuditTailStore implements AuditTailStore {
  constructor(private readonly db: SqlRunner & Pick<Db, 'row' | 'inTransaction'>) {}

  async lockedHead(): Promise<{ seq: number; hash: string } | undefined> {
    // Outside a transaction the lock would end with the statement: the head could move before anyone chains on it.
    if (!this.db.inTransaction()) throw new TypeError('lockedHead() must run inside a transaction');
    // Two statements, not one: under READ COMMITTED a statement reads the snapshot taken when it began, i.e.
    // before it waited for the lock, and would miss the entry the previous holder committed on releasing it.
    // The notification rides on the lock's statement (one round trip fewer; delivered only with the commit).
    await this.db.run("SELECT pg_advisory_xact_lock($1, $2), pg_notify($3, 'audit')", [LOCK_NAMESPACE, LOCKS.audit, CHANGES_CHANNEL]);
    const row = await this.db.row<{ seq: number; hash: string }>('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    return row;
  }

  async after(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    return this.db.rows<AuditEntry>(`SELECT ${AUDIT} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
  }
}
