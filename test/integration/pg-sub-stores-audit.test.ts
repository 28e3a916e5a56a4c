/**
 * Audit search on PostgreSQL (src/main/store/pg/pg-audit-search-store.ts): the shared suite's cases
 * (test/integration/audit-search-store.suite.ts) run asynchronously, plus what differs from SQLite (Unicode case
 * folding whatever the database's locale, LIKE metacharacters as text) and the plan of a rare text at scale.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import type { AuditInsert } from '../../src/main/store/store';
import { describePg, openTestPgStore } from '../helpers/postgres';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describePg('PostgreSQL audit search', () => {
  let store: PgStore;
  beforeAll(async () => {
    store = await openTestPgStore();
  });
  afterAll(() => store.close());
  // One database for the file: each test starts from an empty audit (acknowledgements first: they refer to it).
  beforeEach(async () => {
    await store.database.run('TRUNCATE audit_acknowledgements, audit RESTART IDENTITY');
  });
  const append = (entry: Partial<AuditInsert> & { type: string }) =>
    store.appendAudit({ at: T0, actor: 'system', userId: null, sessionId: null, reason: null, data: {}, prevHash: 'p', hash: 'h', ...entry });
  const seqs = async (filter: Parameters<PgStore['auditSearch']['search']>[0]) => (await store.auditSearch.search(filter)).map((e) => e.seq);

  it('finds a substring of the type, actor, reason or data, case-insensitively (beyond ASCII too), newest first', async () => {
    const a = await append({ type: 'user.created', actor: 'admin:alice', data: { username: 'Margaret' } });
    const b = await append({ type: 'session.revoked', actor: 'admin:bob', reason: 'Laptop STOLEN at the airport' });
    const c = await append({ type: 'user.login', actor: 'user:usr_1', data: { ip: '10.1.2.3', userAgent: 'Firefox' } });
    const d = await append({ type: 'user.updated', reason: 'Zoë ÉLODIE' });
    expect(await seqs({ q: 'garet', limit: 10 })).toEqual([a]);
    expect(await seqs({ q: 'stolen', limit: 10 })).toEqual([b]);
    expect(await seqs({ q: '10.1.2', limit: 10 })).toEqual([c]);
    expect(await seqs({ q: 'admin:', limit: 10 })).toEqual([b, a]);
    expect(await seqs({ q: 'ZOË élodie', limit: 10 })).toEqual([d]);
    expect(await seqs({ q: 'nothing-like-this', limit: 10 })).toEqual([]);
    // Not across two columns: "created" ends the type, "admin" starts the actor.
    expect(await seqs({ q: 'created admin', limit: 10 })).toEqual([]);
    expect(await seqs({ q: 'createdadmin', limit: 10 })).toEqual([]);
  });

  it('treats FTS5 syntax and LIKE metacharacters in the text as literal text; refuses fewer than 3 characters', async () => {
    const a = await append({ type: 'x', reason: 'say "hi" OR NOT* (now) 50%_off' });
    await append({ type: 'x', reason: 'hi 500 off' });
    expect(await seqs({ q: '"hi" OR NOT*', limit: 10 })).toEqual([a]);
    expect(await seqs({ q: '(now)', limit: 10 })).toEqual([a]);
    expect(await seqs({ q: '50%_off', limit: 10 })).toEqual([a]);
    expect(await seqs({ q: '%%%', limit: 10 })).toEqual([]);
    await expect(store.auditSearch.search({ q: 'ab', limit: 10 })).rejects.toMatchObject({ code: 'invalid_input' });
  });

  it('matches any of several types, merged newest first, with paging by seq', async () => {
    const all: number[] = [];
    for (let i = 0; i < 12; i += 1) all.push(await append({ type: ['a.one', 'b.two', 'c.three'][i % 3]! }));
    const wanted = all.filter((_, i) => i % 3 !== 2).reverse();
    expect(await seqs({ types: ['a.one', 'b.two'], limit: 100 })).toEqual(wanted);
    const first = await seqs({ types: ['a.one', 'b.two'], limit: 3 });
    expect(first).toEqual(wanted.slice(0, 3));
    expect(await seqs({ types: ['a.one', 'b.two'], limit: 3, beforeSeq: first[2] })).toEqual(wanted.slice(3, 6));
  });

  it('matches actors and users by prefix, both when the prefix names a few and when it names many', async () => {
    const few = [await append({ type: 't', actor: 'admin:ann' }), await append({ type: 't', actor: 'admin:andy' })];
    for (let i = 0; i < 40; i += 1) await append({ type: 't', actor: `user:usr_${i}`, userId: `usr_${i}` });
    await store.transaction(async () => {
      for (let i = 0; i < 2100; i += 1) await append({ type: 't', actor: 'client:web', userId: `usr_bulk_${i}` });
    });
    await append({ type: 't', actor: 'admin:other' });
    expect(await seqs({ actorPrefix: 'admin:an', limit: 10 })).toEqual([...few].reverse());
    const users = await store.auditSearch.search({ actorPrefix: 'user:', limit: 100 });
    expect(users).toHaveLength(40);
    expect(users.every((e, i) => e.actor.startsWith('user:') && (i === 0 || users[i - 1]!.seq > e.seq))).toBe(true);
    expect((await store.auditSearch.search({ userPrefix: 'usr_1', limit: 100 })).map((e) => e.userId).sort()).toEqual(
      ['usr_1', ...Array.from({ length: 10 }, (_, i) => `usr_1${i}`)].sort(),
    );
    const dense = await store.auditSearch.search({ userPrefix: 'usr_bulk_', limit: 5 });
    expect(dense.map((e) => e.userId)).toEqual(['usr_bulk_2099', 'usr_bulk_2098', 'usr_bulk_2097', 'usr_bulk_2096', 'usr_bulk_2095']);
    expect(await store.auditSearch.search({ actorPrefix: 'nobody', limit: 5 })).toEqual([]);
  });

  it('combines free text, types, prefixes and a time range', async () => {
    await append({ type: 'session.revoked', actor: 'admin:ann', at: T0, reason: 'incident 42' });
    const hit = await append({ type: 'session.revoked', actor: 'admin:ann', at: T0 + 1000, reason: 'incident 42', userId: 'usr_9' });
    await append({ type: 'user.blocked', actor: 'admin:ann', at: T0 + 1000, reason: 'incident 42' });
    await append({ type: 'session.revoked', actor: 'admin:bob', at: T0 + 1000, reason: 'incident 42' });
    await append({ type: 'session.revoked', actor: 'admin:ann', at: T0 + 9000, reason: 'incident 42' });
    expect(await seqs({ q: 'cident 4', types: ['session.revoked', 'key.revoked'], actorPrefix: 'admin:a', userPrefix: 'usr', since: T0 + 500, until: T0 + 5000, limit: 10 }))
      .toEqual([hit]);
  });

  it('bounds free text and types by a time window, exact when the clock stepped back, dense windows included', async () => {
    const ats = [5000, 1000, 9000, 2000, 3000];
    const all: number[] = [];
    for (const [i, dt] of ats.entries()) all.push(await append({ type: i % 2 ? 'user.login' : 'session.revoked', at: T0 + dt, data: { ip: '10.0.0.7', i } }));
    const window = { since: T0 + 1000, until: T0 + 5000, limit: 10 };
    const inWindow = all.filter((_, i) => ats[i]! >= 1000 && ats[i]! <= 5000).reverse();
    expect(await seqs({ ...window, q: '10.0.0.7' })).toEqual(inWindow);
    expect(await seqs({ ...window, types: ['user.login', 'session.revoked'] })).toEqual(inWindow);
    expect(await seqs({ ...window, q: '10.0.0.7', beforeSeq: all[3]! })).toEqual(inWindow.filter((s) => s < all[3]!));
    expect(await seqs({ since: T0 + 6000, until: T0 + 8000, q: '10.0.0.7', limit: 10 })).toEqual([]);
    // A dense old window (more than 2000 entries, and more than 2000 newer ones): bounded by its seq range.
    await store.transaction(async () => {
      for (let i = 0; i < 2500; i += 1) await append({ type: 'user.login', at: T0 + 20_000 + (i % 50), data: { n: i } });
      for (let i = 0; i < 2500; i += 1) await append({ type: 'user.login', at: T0 + 90_000 });
    });
    const old = await store.auditSearch.search({ since: T0 + 20_000, until: T0 + 20_049, limit: 3 });
    expect(old.map((e) => e.data.n)).toEqual([2499, 2498, 2497]);
  });

  it('keeps one acknowledgement per alert; lists open and acknowledged alerts apart', async () => {
    const r1 = await append({ type: 'refresh_token.reused', sessionId: 'ses_1' });
    await append({ type: 'user.login' });
    const r2 = await append({ type: 'authorization_code.reused', sessionId: 'ses_2' });
    expect(await store.auditSearch.countOpenReuseAlerts()).toBe(2);
    await store.auditSearch.acknowledge({ seq: r1, by: 'admin:ann', at: T0 + 5, note: 'user confirmed' });
    await expect(store.auditSearch.acknowledge({ seq: r1, by: 'admin:bob', at: T0 + 6, note: 'again' })).rejects.toMatchObject({ code: 'conflict' });
    // In a transaction too: the refusal does not abort it (ON CONFLICT, not a failed statement).
    await store.transaction(async () => {
      await expect(store.auditSearch.acknowledge({ seq: r1, by: 'admin:bob', at: T0 + 6, note: 'again' })).rejects.toMatchObject({ code: 'conflict' });
      await store.auditSearch.acknowledge({ seq: r2, by: 'admin:bob', at: T0 + 7, note: 'ok' });
    });
    expect(await store.auditSearch.getAcknowledgement(r1)).toEqual({ seq: r1, by: 'admin:ann', at: T0 + 5, note: 'user confirmed' });
    expect(await store.auditSearch.countOpenReuseAlerts()).toBe(0);
    expect((await store.auditSearch.listReuseAlerts({ limit: 10 })).map((a) => [a.entry.seq, a.acknowledgement?.by ?? null])).toEqual([[r2, 'admin:bob'], [r1, 'admin:ann']]);
    expect(await store.auditSearch.listReuseAlerts({ status: 'open', limit: 10 })).toEqual([]);
    expect((await store.auditSearch.listReuseAlerts({ status: 'acknowledged', limit: 10, beforeSeq: r2 })).map((a) => a.entry.seq)).toEqual([r1]);
    expect((await store.auditSearch.get(r2))?.sessionId).toBe('ses_2');
  });

  it('answers a rare text from the trigram index and a type from its (type, seq) walk, at 50k entries', async () => {
    await store.database.run(`INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      SELECT $1::bigint + n, CASE WHEN n % 500 = 0 THEN 'key.created' ELSE 'user.login' END, 'user:usr_' || (n % 5000), 'usr_' || (n % 5000),
        'ses_' || n, NULL, json_build_object('ip', '10.0.' || (n % 250) || '.' || (n % 7), 'ua', 'Firefox ' || (n % 90)), 'p', 'h'
      FROM generate_series(1, 50000) n`, [T0]);
    const rare = await append({ type: 'user.login', actor: 'user:usr_x', data: { ip: '192.0.2.77' } });
    // As autovacuum would: the pending list merged into the index, the statistics current.
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
