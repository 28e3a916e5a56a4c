/**
 * The audit-tail store suite on SQLite (file, ':memory:') and PostgreSQL; and, on PostgreSQL only, the lock
 * itself: while one transaction holds the head (lockedHead), another's append waits for its commit, so the
 * second entry chains after the first whichever instance writes it.
 */
import pg from 'pg';
import { expect, it } from 'vitest';
import { onEveryStore } from '../helpers/every-store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';
import { auditTailStoreSuite } from './audit-tail-store.suite';

onEveryStore('warden-audit-tail-', auditTailStoreSuite);

describePg('AuditTailStore on PostgreSQL: the audit lock', () => {
  it('lockedHead outside a transaction is caller misuse', async () => {
    const store = await openTestPgStore();
    try {
      await expect(store.auditTail.lockedHead()).rejects.toThrow(TypeError);
    } finally {
      await store.close();
    }
  });

  it("holds another instance's append until the holder commits: its entry gets the later seq", async () => {
    const url = await freshDatabase();
    const [a, b] = [await openTestPgStore({ url }), await openTestPgStore({ url })];
    const watcher = new pg.Client({ connectionString: url });
    await watcher.connect();
    try {
      const entry = (name: string, prevHash: string) => ({ at: 1, type: 'user.created', actor: 'admin', userId: null, sessionId: null, reason: null, data: {}, prevHash, hash: name });
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let holding!: () => void;
      const locked = new Promise<void>((resolve) => (holding = resolve));
      const first = a.transaction(async () => {
        expect(await a.auditTail.lockedHead()).toBeUndefined();
        holding();
        await held;
        return a.appendAudit(entry('first', 'genesis'));
      });
      await locked;
      const second = b.transaction(() => b.appendAudit(entry('second', 'first')));
      // Wait (bounded) until the second append is seen waiting for the advisory lock, then let the first commit.
      for (let k = 0; ; k++) {
        const { rows } = await watcher.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
        if (rows[0].n === 1) break;
        if (k > 500) throw new Error('the second append never waited for the audit lock');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      release();
      const [firstSeq, secondSeq] = [await first, await second];
      expect(secondSeq).toBeGreaterThan(firstSeq);
      expect((await a.auditTail.after(0, 10)).map((e) => e.hash)).toEqual(['first', 'second']);
    } finally {
      await watcher.end();
      await a.close();
      await b.close();
    }
  });
});
