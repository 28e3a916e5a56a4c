/** The audit-search store suite against SQLite in a real file, in ':memory:' and on PostgreSQL; the SQLite FTS migration. */
import { onEveryStore } from '../helpers/every-store';
import { auditSearchStoreSuite } from './audit-search-store.suite';

onEveryStore('warden-audit-search-', auditSearchStoreSuite);

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../../src/main/store/migrations';
import { SqliteStore } from '../../src/main/store/sqlite-store';

describe('audit search migration', () => {
  it('indexes the entries written before it (an upgraded install finds its old audit)', async () => {
    const db = new Database(':memory:');
    const before = MIGRATIONS.filter((m) => m.sql.includes('audit_fts') === false && m.version < MIGRATIONS.length);
    migrate(db, before.slice(0, MIGRATIONS.findIndex((m) => m.sql.includes('audit_fts'))));
    db.prepare("INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash) VALUES (1, 'user.created', 'admin', NULL, NULL, NULL, '{\"username\":\"oldtimer\"}', 'p', 'h')").run();
    migrate(db);
    const store = new SqliteStore(db, 'test', []);
    expect((await store.auditSearch.search({ q: 'oldtime', limit: 5 })).map((e) => e.data)).toEqual([{ username: 'oldtimer' }]);
    db.close();
  });
});
