/**
 * The behavioural suite every `UserDirectoryStore` must pass (store.userDirectory): search, status, sort and
 * paging agree with a plain in-memory reference on every combination, whichever plan (walk or fetch) the
 * density of matches picks; profiles round-trip; the search index follows updates and deletes.
 */
import type { StoreHarness } from '../helpers/every-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, UserRow } from '../../src/main/store/store';
import type { DirectoryQuery, DirectorySort, DirectoryStatus, UserDirectoryRow } from '../../src/main/store/user-directory-store';
import { WardenError } from '../../src/shared/errors';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW = T0 + 1_000_000;
const FIRST = ['ana', 'ben', 'chloé', 'dev', 'Eve'];
const user = (n: number): UserRow => ({
  id: `usr_${n}`, username: `${FIRST[n % FIRST.length]}.${n % 3 === 0 ? 'smith' : 'jones'}${n}`, passwordHash: 'x',
  status: n % 7 === 0 ? 'blocked' : 'active', createdAt: T0 + ((n * 37) % 101), refreshVersion: 1, notBefore: null,
  blockedAt: null, blockedReason: null, failedLogins: n % 5 === 0 ? 5 : 0,
  // Every fifth user has a lock: some still in force at NOW, some ended.
  lockedUntil: n % 5 === 0 ? (n % 10 === 0 ? NOW + 60_000 : NOW - 1) : null,
  lastLoginAt: n % 4 === 0 ? null : T0 + ((n * 13) % 89),
});

function statusOf(u: UserDirectoryRow): DirectoryStatus {
  if (u.status === 'blocked') return 'blocked';
  return u.lockedUntil !== null && u.lockedUntil > NOW ? 'locked' : 'active';
}

/** The reference: what a page must hold, computed the slow, obvious way. */
function reference(all: UserDirectoryRow[], q: DirectoryQuery, rowid: Map<string, number>): { ids: string[]; total: number } {
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
    if (q.sort === 'lastLoginAt') return [u.lastLoginAt ?? -1, rowid.get(u.id)!];
    return [u.createdAt, rowid.get(u.id)!];
  };
  matches.sort((a, b) => {
    if (q.sort === 'status') {
      const byStatus = sign * (rank[statusOf(a)] - rank[statusOf(b)]);
      if (byStatus !== 0) return byStatus;
      return -(a.createdAt - b.createdAt) || -(rowid.get(a.id)! - rowid.get(b.id)!);
    }
    const [ka, ta] = key(a);
    const [kb, tb] = key(b);
    if (ka !== kb) return sign * (ka < kb ? -1 : 1);
    return sign * (ta - tb);
  });
  return { ids: matches.slice(q.offset, q.offset + q.limit).map((u) => u.id), total: matches.length };
}

export function userDirectoryStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`UserDirectoryStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    const N = 120;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.transaction(async () => {
        for (let n = 1; n <= N; n += 1) {
          await store.insertUser(user(n));
          if (n % 2 === 0) await store.userDirectory.updateProfile(`usr_${n}`, { displayName: `${FIRST[(n + 1) % FIRST.length]} Example ${n}`, email: n % 4 === 0 ? `p${n}@corp.example` : null });
        }
      });
    });
    afterEach(() => h.cleanup());

    it('pages every search × status × sort × direction exactly as the reference does', async () => {
      const all = (await Promise.all(Array.from({ length: N }, (_, i) => store.userDirectory.get(`usr_${i + 1}`)))).map((u) => u!);
      // Insertion order is rowid order here: the tie-break of equal sort keys.
      const rowid = new Map(all.map((u, i) => [u.id, i]));
      // Dense ('a', 'jones', 'example') and sparse ('smith9', 'p12@', 'CHLOÉ.S') searches: both plans run.
      const searches = [undefined, 'a', 'Ev', 'jones', 'smith9', 'EXAMPLE', 'p12@', 'corp.example', 'chloÉ.s', 'zzz', '50%'];
      const statuses: (DirectoryStatus | undefined)[] = [undefined, 'active', 'locked', 'blocked'];
      const sorts: DirectorySort[] = ['createdAt', 'username', 'lastLoginAt', 'status'];
      let compared = 0;
      for (const search of searches) for (const status of statuses) for (const sort of sorts) for (const dir of ['asc', 'desc'] as const) {
        for (const [offset, limit] of [[0, 10], [7, 25], [95, 50]] as const) {
          const query: DirectoryQuery = { search, status, sort, dir, now: NOW, offset, limit };
          const expected = reference(all, query, rowid);
          const page = await store.userDirectory.list(query);
          expect({ query, ids: page.items.map((u) => u.id), total: page.total }).toEqual({ query, ...expected });
          compared += 1;
        }
      }
      expect(compared).toBe(11 * 4 * 4 * 2 * 3);
    });

    it('keeps profiles as written, and the search follows an update and a delete', async () => {
      await store.userDirectory.updateProfile('usr_1', { displayName: 'Zoë Quartz', email: 'zq@quartz.example', attributes: { team: 'blue', 'cost.center': '42' } });
      expect(await store.userDirectory.get('usr_1')).toMatchObject({ displayName: 'Zoë Quartz', email: 'zq@quartz.example', attributes: { team: 'blue', 'cost.center': '42' } });
      const find = async (search: string) => (await store.userDirectory.list({ search, sort: 'createdAt', dir: 'desc', now: NOW, offset: 0, limit: 10 })).items.map((u) => u.id);
      expect(await find('quartz')).toEqual(['usr_1']);
      expect(await find('ZOË')).toEqual(['usr_1']);
      await store.userDirectory.updateProfile('usr_1', { displayName: null, email: null });
      expect(await find('quartz')).toEqual([]);
      expect(await store.userDirectory.get('usr_1')).toMatchObject({ displayName: null, email: null, attributes: { team: 'blue', 'cost.center': '42' } });
      expect(await find('smith3')).toContain('usr_3');
      // Each of the user's rows counts in what the delete reports (here: one browser session, nothing else).
      await store.browserSessions.insert({ id: 'bro_3', cookieHash: 'a'.repeat(64), userId: 'usr_3', rememberMe: false, ip: '127.0.0.1', userAgent: 'UA',
        createdAt: T0, authTime: T0, lastSeenAt: T0, expiresAt: T0 + 1, revokedAt: null, revokedBy: null, revokeReason: null });
      const deleted = await store.transaction(() => store.userDirectory.deleteUser('usr_3'));
      expect(deleted).toEqual({ sessions: 0, refreshTokens: 0, accessTokens: 0, browserSessions: 1, authorizationCodes: 0 });
      expect(await store.browserSessions.get('bro_3')).toBeUndefined();
      expect(await find('smith3')).not.toContain('usr_3');
      expect(await store.userDirectory.get('usr_3')).toBeUndefined();
      expect(await store.countUsers()).toBe(N - 1);
      // A new user takes a search key of its own: found by its name, the deleted one not.
      await store.insertUser({ ...user(3), id: 'usr_new', username: 'ana.smith3' });
      expect(await find('smith3')).toEqual(expect.arrayContaining(['usr_new']));
      expect(await find('smith3')).not.toContain('usr_3');
    });

    it('refuses an unknown user, an attributes value that is not an object, and keeps the search text literal', async () => {
      const refused = async (work: () => Promise<unknown>, code: string) => {
        const error: unknown = await work().then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(WardenError);
        expect(error).toMatchObject({ code });
      };
      await refused(() => store.userDirectory.updateProfile('usr_nope', { displayName: 'x' }), 'not_found');
      await refused(() => store.transaction(() => store.userDirectory.deleteUser('usr_nope')), 'not_found');
      await refused(() => store.userDirectory.updateProfile('usr_1', { attributes: [] as unknown as Record<string, string> }), 'invalid_input');
      // Paging arguments are the caller's bug, not bad input: a TypeError.
      await expect(() => store.userDirectory.list({ sort: 'createdAt', dir: 'desc', now: NOW, offset: -1, limit: 5 })).rejects.toThrow(TypeError);
      const page = (search: string) => store.userDirectory.list({ search, sort: 'createdAt', dir: 'desc', now: NOW, offset: 0, limit: 500 });
      // FTS5 syntax and LIKE wildcards are text: none of these is a query that matches everything (or fails).
      for (const search of ['"', 'a" OR "b', '%%%', '___', 'NEAR(a b)', '*']) expect((await page(search)).total).toBe(0);
    });
  });
}
