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
    // One round trip (tw_locked_audit_head, migrations.ts): the lock, the 'audit' notification (delivered with the
    // commit), then the head read by a statement of its own, whose snapshot follows the lock's grant.
    return this.db.row<{ seq: number; hash: string }>('SELECT out_seq AS seq, out_hash AS hash FROM tw_locked_audit_head($1, $2, $3)',
      [LOCK_NAMESPACE, LOCKS.audit, CHANGES_CHANNEL]);
  }

  async after(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    return this.db.rows<AuditEntry>(`SELECT ${AUDIT} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
  }
}
