/**
 * What only PostgreSQL's search stores have to show (their behaviour is the shared suites':
 * user-directory-store.suite.ts, audit-search-store.suite.ts, session-search-store.suite.ts, run on every store):
 * at scale, the plans PostgreSQL picks answer a rare text from the pg_trgm GIN indexes and a type from its
 * (type, seq) walk (src/main/store/pg/sub-store-schema.ts), rather than reading every row; a walked Sessions page
 * names PostgreSQL's own activity index (the shared suite accepts either store's name).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { fold, USER_TEXT } from '../../src/main/store/pg/sub-store-schema';
import { describePg, openTestPgStore } from '../helpers/postgres';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = T0 + 1_000_000;

describePg('PostgreSQL search indexes', () => {
  let store: PgStore;
  beforeAll(async () => {
    store = await openTestPgStore();
  });
  afterAll(() => store.close());

  it('finds a rare substring among 20k users through the trigram index', async () => {
    await store.database.run(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, failed_logins, display_name, email)
      SELECT 'bulk_' || n, 'bulk.user' || n, 'x', 'active', $1::bigint + n, 1, 0, 'Bulk ' || n, 'b' || n || '@bulk.example'
      FROM generate_series(1, 20000) n`, [T0]);
    // As autovacuum would: the pending list merged into the index, the statistics current.
    await store.database.rows("SELECT gin_clean_pending_list('users_text_trgm')");
    await store.database.run('ANALYZE users');
    const query = { search: 'k.user1999', sort: 'createdAt' as const, dir: 'desc' as const, now: NOW, offset: 0, limit: 10 };
    const page = await store.userDirectory.list(query);
    expect(page.total).toBe(11);
    expect(page.items.map((u) => u.id)).toEqual(Array.from({ length: 10 }, (_, i) => `bulk_${19999 - i}`));
    // The store's own condition (USER_TEXT LIKE the folded needle) is answered from the index.
    const [plan] = await store.database.rows<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) SELECT count(*) FROM users u
      WHERE ${USER_TEXT} LIKE ${fold('$1::text')}`, ['%k.user1999%']);
    expect(JSON.stringify(plan!['QUERY PLAN'])).toContain('users_text_trgm');
  });

  it("names its own activity index (not SQLite's covering one) when a Sessions page is walked", async () => {
    const page = (filter: { device?: string }) => store.sessionSearch.search({ ...filter, now: NOW, sort: 'lastActivityAt', dir: 'desc', limit: 10 });
    expect((await page({})).plan).toBe('walk:sessions_activity');
    expect((await page({ device: 'kiosk' })).plan).toBe('walk:sessions_activity');
  });

  it('answers a rare audit text from the trigram index and a type from its (type, seq) walk, at 50k entries', async () => {
    await store.database.run(`INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      SELECT $1::bigint + n, CASE WHEN n % 500 = 0 THEN 'key.created' ELSE 'user.login' END, 'user:usr_' || (n % 5000), 'usr_' || (n % 5000),
        'ses_' || n, NULL, json_build_object('ip', '10.0.' || (n % 250) || '.' || (n % 7), 'ua', 'Firefox ' || (n % 90)), 'p', 'h'
      FROM generate_series(1, 50000) n`, [T0]);
    const rare = await store.appendAudit({ at: T0, type: 'user.login', actor: 'user:usr_x', userId: null, sessionId: null, reason: null,
      data: { ip: '192.0.2.77' }, prevHash: 'p', hash: 'h' });
    await store.database.rows("SELECT gin_clean_pending_list('audit_text_trgm')");
    await store.database.run('ANALYZE audit');
    // The statements the store runs, explained with their own parameters.
    const ran: [string, unknown[]][] = [];
    const rows = store.database.rows.bind(store.database);
    store.database.rows = (async (sql: string, params: never[] = []) => {
      ran.push([sql, params]);
      return rows(sql, params);
    }) as typeof store.database.rows;
    const plan = async (filter: Parameters<PgStore['auditSearch']['search']>[0]) => {
      ran.length = 0;
      const found = await store.auditSearch.search(filter);
      const [sql, params] = ran[ran.length - 1]!;
      const [explained] = await rows<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${sql}`, params as never[]);
      return { found: found.map((e) => e.seq), plan: JSON.stringify(explained!['QUERY PLAN']) };
    };
    try {
      const text = await plan({ q: '192.0.2.7', limit: 50 });
      expect(text.found).toEqual([rare]);
      expect(text.plan).toContain('audit_text_trgm');
      const typed = await plan({ types: ['key.created'], limit: 50 });
      expect(typed.found).toHaveLength(50);
      expect(typed.plan).toContain('audit_type');
    } finally {
      store.database.rows = rows;
    }
  });
});
