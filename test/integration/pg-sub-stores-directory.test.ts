/**
 * The users page's store on PostgreSQL (src/main/store/pg/pg-user-directory-store.ts): every search × status ×
 * sort × direction × page against the shared suite's reference (test/integration/user-directory-store.suite.ts),
 * profiles, deletion, literal search text, and the trigram index's use.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import type { UserRow } from '../../src/main/store/store';
import type { DirectoryQuery, DirectorySort, DirectoryStatus, UserDirectoryRow } from '../../src/main/store/user-directory-store';
import { WardenError } from '../../src/shared/errors';
import { fold, USER_TEXT } from '../../src/main/store/pg/sub-store-schema';
import { describePg, openTestPgStore } from '../helpers/postgres';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = T0 + 1_000_000;
const FIRST = ['ana', 'ben', 'chloé', 'dev', 'Eve'];
const N = 120;
const user = (n: number): UserRow => ({
  id: `usr_${n}`, username: `${FIRST[n % FIRST.length]}.${n % 3 === 0 ? 'smith' : 'jones'}${n}`, passwordHash: 'x',
  status: n % 7 === 0 ? 'blocked' : 'active', createdAt: T0 + ((n * 37) % 101), refreshVersion: 1, notBefore: null,
  blockedAt: null, blockedReason: null, failedLogins: n % 5 === 0 ? 5 : 0,
  lockedUntil: n % 5 === 0 ? (n % 10 === 0 ? NOW + 60_000 : NOW - 1) : null,
  lastLoginAt: n % 4 === 0 ? null : T0 + ((n * 13) % 89),
});

function statusOf(u: UserDirectoryRow): DirectoryStatus {
  if (u.status === 'blocked') return 'blocked';
  return u.lockedUntil !== null && u.lockedUntil > NOW ? 'locked' : 'active';
}

/** The suite's reference: what a page must hold, computed the slow, obvious way. */
function reference(all: UserDirectoryRow[], q: DirectoryQuery, order: Map<string, number>): { ids: string[]; total: number } {
  const text = q.search?.trim().toLowerCase() ?? '';
  const matches = all.filter((u) => {
    if (q.status && statusOf(u) !== q.status) return false;
    if (text === '') return true;
    if ([...text].length < 3) return u.username.toLowerCase().startsWith(text);
    return [u.username, u.displayName, u.email].some((v) => v !== null && v.toLowerCase().includes(text));
  });
  const sign = q.dir === 'asc' ? 1 : -1;
  const rank: Record<DirectoryStatus, number> = { active: 0, locked: 1, blocked: 2 };
  const key = (u: UserDirectoryRow): [number | string, number] => {
    if (q.sort === 'username') return [u.username.toLowerCase(), 0];
    if (q.sort === 'lastLoginAt') return [u.lastLoginAt ?? -1, order.get(u.id)!];
    return [u.createdAt, order.get(u.id)!];
  };
  matches.sort((a, b) => {
    if (q.sort === 'status') {
      const byStatus = sign * (rank[statusOf(a)] - rank[statusOf(b)]);
      if (byStatus !== 0) return byStatus;
      return -(a.createdAt - b.createdAt) || -(order.get(a.id)! - order.get(b.id)!);
    }
    const [ka, ta] = key(a);
    const [kb, tb] = key(b);
    if (ka !== kb) return sign * (ka < kb ? -1 : 1);
    return sign * (ta - tb);
  });
  return { ids: matches.slice(q.offset, q.offset + q.limit).map((u) => u.id), total: matches.length };
}

describePg('PostgreSQL user directory', () => {
  let store: PgStore;
  beforeAll(async () => {
    store = await openTestPgStore();
    await store.transaction(async () => {
      for (let n = 1; n <= N; n += 1) {
        await store.insertUser(user(n));
        if (n % 2 === 0) {
          await store.userDirectory.updateProfile(`usr_${n}`, { displayName: `${FIRST[(n + 1) % FIRST.length]} Example ${n}`, email: n % 4 === 0 ? `p${n}@corp.example` : null });
        }
      }
    });
  });
  afterAll(() => store.close());
  const find = async (search: string) => (await store.userDirectory.list({ search, sort: 'createdAt', dir: 'desc', now: NOW, offset: 0, limit: 10 })).items.map((u) => u.id);

  it('pages every search × status × sort × direction exactly as the reference does', async () => {
    const all = await Promise.all(Array.from({ length: N }, async (_, i) => (await store.userDirectory.get(`usr_${i + 1}`))!));
    const order = new Map(all.map((u, i) => [u.id, i]));
    const searches = [undefined, 'a', 'Ev', 'jones', 'smith9', 'EXAMPLE', 'p12@', 'corp.example', 'chloÉ.s', 'zzz', '50%'];
    const statuses: (DirectoryStatus | undefined)[] = [undefined, 'active', 'locked', 'blocked'];
    const sorts: DirectorySort[] = ['createdAt', 'username', 'lastLoginAt', 'status'];
    let compared = 0;
    for (const search of searches) for (const status of statuses) for (const sort of sorts) for (const dir of ['asc', 'desc'] as const) {
      for (const [offset, limit] of [[0, 10], [7, 25], [95, 50]] as const) {
        const query: DirectoryQuery = { search, status, sort, dir, now: NOW, offset, limit };
        const page = await store.userDirectory.list(query);
        expect({ query, ids: page.items.map((u) => u.id), total: page.total }).toEqual({ query, ...reference(all, query, order) });
        compared += 1;
      }
    }
    expect(compared).toBe(11 * 4 * 4 * 2 * 3);
  });

  it('keeps profiles as written; the search follows an update and a delete; a new user is found by name', async () => {
    await store.userDirectory.updateProfile('usr_1', { displayName: 'Zoë Quartz', email: 'zq@quartz.example', attributes: { team: 'blue', 'cost.center': '42' } });
    expect(await store.userDirectory.get('usr_1')).toMatchObject({ displayName: 'Zoë Quartz', email: 'zq@quartz.example', attributes: { team: 'blue', 'cost.center': '42' } });
    expect(await find('quartz')).toEqual(['usr_1']);
    expect(await find('ZOË')).toEqual(['usr_1']);
    await store.userDirectory.updateProfile('usr_1', { displayName: null, email: null });
    expect(await find('quartz')).toEqual([]);
    expect(await store.userDirectory.get('usr_1')).toMatchObject({ displayName: null, email: null, attributes: { team: 'blue', 'cost.center': '42' } });
    expect(await find('smith3')).toContain('usr_3');
    await store.browserSessions.insert({ id: 'bro_3', cookieHash: 'a'.repeat(64), userId: 'usr_3', rememberMe: false, ip: '127.0.0.1', userAgent: 'UA',
      createdAt: T0, authTime: T0, lastSeenAt: T0, expiresAt: T0 + 1, revokedAt: null, revokedBy: null, revokeReason: null });
    const deleted = await store.transaction(() => store.userDirectory.deleteUser('usr_3'));
    expect(deleted).toEqual({ sessions: 0, refreshTokens: 0, accessTokens: 0, browserSessions: 1, authorizationCodes: 0 });
    expect(await find('smith3')).not.toContain('usr_3');
    expect(await store.userDirectory.get('usr_3')).toBeUndefined();
    expect(await store.countUsers()).toBe(N - 1);
    await store.insertUser({ ...user(3), id: 'usr_new', username: 'ana.smith3' });
    expect(await find('smith3')).toEqual(expect.arrayContaining(['usr_new']));
  });

  it('refuses an unknown user and an attributes value that is not an object, and keeps the search text literal', async () => {
    await expect(store.userDirectory.updateProfile('usr_nope', { displayName: 'x' })).rejects.toBeInstanceOf(WardenError);
    await expect(store.transaction(() => store.userDirectory.deleteUser('usr_nope'))).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.userDirectory.updateProfile('usr_2', { attributes: [] as unknown as Record<string, string> })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(store.userDirectory.list({ sort: 'createdAt', dir: 'desc', now: NOW, offset: -1, limit: 5 })).rejects.toBeInstanceOf(TypeError);
    for (const search of ['"', 'a" OR "b', '%%%', '___', 'NEAR(a b)', '*']) {
      expect((await store.userDirectory.list({ search, sort: 'createdAt', dir: 'desc', now: NOW, offset: 0, limit: 500 })).total).toBe(0);
    }
  });

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
});
