/**
 * The behavioural suite every `SessionSearchStore` must pass (store.sessionSearch), against a brute-force
 * oracle: every filter, both sorts and directions, paged to the end by cursor, on enough sessions that both
 * plans run (a selective filter's own index drives; a rare filter's bounded walk returns short `partial` pages);
 * the open sessions of a client. The engine's search (cursor strings, refusals) is test/unit/engine/session-search.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionStatus } from '../../src/main/engine/queries';
import { DRIVE_CAP, SCAN_BUDGET } from '../../src/main/store/session-search-rules';
import type { SessionSearchQuery } from '../../src/main/store/session-search-store';
import type { SessionRow, Store } from '../../src/main/store/store';
import type { StoreHarness } from '../helpers/every-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 5, 1);
const DEVICES: Array<[string, string]> = [
  ['Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Chrome on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36'],
  ["Ana's phone", 'okhttp/4.12.0'],
];
/** A device only a handful of sessions have, spread through the whole range: the walk's hard case. */
const RARE: [string, string] = ['Kiosk 7', 'KioskBrowser/2.1 (Lobby)'];
const N = SCAN_BUDGET * 2 + 500;
type Filter = Omit<SessionSearchQuery, 'now' | 'sort' | 'dir' | 'after' | 'limit'> & { sort?: SessionSearchQuery['sort']; dir?: SessionSearchQuery['dir'] };

function makeRows(): SessionRow[] {
  const users = ['usr_a', 'usr_b', 'usr_c'];
  let r = 12345;
  const random = () => ((r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Array.from({ length: N }, (_, i) => {
    const [deviceName, userAgent] = i % 997 === 0 ? RARE : DEVICES[i % DEVICES.length]!;
    // Coarse times (whole hours) so many rows share a sort key: the insertion order must break the ties.
    const createdAt = NOW - Math.floor(random() * 60) * DAY - Math.floor(random() * 24) * HOUR;
    const lastActivityAt = Math.min(NOW, createdAt + Math.floor(random() * 48) * HOUR);
    const rememberMe = i % 3 === 0;
    const absolute = createdAt + (rememberMe ? 30 * DAY : 12 * HOUR);
    const revoked = i % 7 === 0;
    return {
      id: `ses_${String(i).padStart(6, '0')}`, userId: users[i % users.length]!, clientId: i % 1500 === 1 ? 'rare' : i % 2 ? 'web' : 'mobile',
      deviceName, userAgent, ip: `10.${i % 4}.${(i >> 2) % 256}.${i % 200}`, rememberMe, scope: 'openid', createdAt, lastActivityAt,
      idleExpiresAt: Math.min(lastActivityAt + (rememberMe ? 7 * DAY : 2 * HOUR), absolute), absoluteExpiresAt: absolute,
      revokedAt: revoked ? lastActivityAt : null, revokedBy: revoked ? 'admin:test' : null, revokeReason: revoked ? 'test' : null,
      refreshCount: 0, browserSessionId: null, refreshEndedAt: !revoked && i % 11 === 0 ? lastActivityAt : null,
    };
  });
}

/** What a search must return, the slow, obvious way: equal sort keys in insertion order. */
function oracle(rows: SessionRow[], f: Filter): string[] {
  const by = f.sort ?? 'lastActivityAt';
  const device = f.device?.toLowerCase();
  const matched = rows.map((row, i) => ({ row, order: i })).filter(({ row }) =>
    (f.userId === undefined || row.userId === f.userId) && (f.clientId === undefined || row.clientId === f.clientId) &&
    (f.ipPrefix === undefined || row.ip.startsWith(f.ipPrefix)) &&
    (device === undefined || row.deviceName.toLowerCase().includes(device) || row.userAgent.toLowerCase().includes(device)) &&
    (f.status === undefined || sessionStatus(row, NOW) === f.status) && (f.rememberMe === undefined || row.rememberMe === f.rememberMe) &&
    (f.createdFrom === undefined || row.createdAt >= f.createdFrom) && (f.createdTo === undefined || row.createdAt < f.createdTo) &&
    (f.activeFrom === undefined || row.lastActivityAt >= f.activeFrom) && (f.activeTo === undefined || row.lastActivityAt < f.activeTo));
  const key = (row: SessionRow) => (by === 'createdAt' ? row.createdAt : row.lastActivityAt);
  matched.sort((a, b) => (key(a.row) - key(b.row) || a.order - b.order) * ((f.dir ?? 'desc') === 'desc' ? -1 : 1));
  return matched.map(({ row }) => row.id);
}

export function sessionSearchStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`SessionSearchStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    const rows = makeRows();
    // One store for the file: every case only reads.
    beforeAll(async () => {
      h = await open();
      store = h.store;
      await store.transaction(async () => {
        for (const id of ['usr_a', 'usr_b', 'usr_c']) {
          await store.insertUser({ id, username: id, passwordHash: 'x', status: 'active', createdAt: NOW - 90 * DAY, refreshVersion: 1, notBefore: null,
            blockedAt: null, blockedReason: null, failedLogins: 0, lockedUntil: null, lastLoginAt: null });
        }
        for (const clientId of ['web', 'mobile', 'rare']) {
          await store.insertClient({ clientId, kind: 'public', name: clientId, secretHash: null, createdAt: NOW - 90 * DAY, redirectUris: [], postLogoutRedirectUris: [],
            backchannelLogoutUri: null, grantTypes: ['password', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null });
        }
        for (const row of rows) await store.insertSession(row);
      });
    }, 120_000);
    afterAll(() => h.cleanup());

    const search = (f: Filter, limit: number, after?: SessionSearchQuery['after']) =>
      store.sessionSearch.search({ ...f, now: NOW, sort: f.sort ?? 'lastActivityAt', dir: f.dir ?? 'desc', limit, ...(after ? { after } : {}) });
    async function everyPage(f: Filter, limit: number) {
      const ids: string[] = [];
      const partial: boolean[] = [];
      let after: SessionSearchQuery['after'];
      for (let i = 0; i < 1000; i += 1) {
        const page = await search(f, limit, after);
        expect(page.items.length).toBeLessThanOrEqual(limit);
        ids.push(...page.items.map((s) => s.id));
        partial.push(page.partial);
        if (page.next === null) return { ids, partial };
        after = page.next;
      }
      throw new Error('paging did not end');
    }

    it('returns exactly what the filters select, in order, across every page, for every filter and sort', async () => {
      const cases: Filter[] = [
        {}, { sort: 'createdAt' }, { dir: 'asc' }, { sort: 'createdAt', dir: 'asc', rememberMe: true }, { clientId: 'web' }, { clientId: 'rare' },
        { clientId: 'rare', sort: 'createdAt', dir: 'asc' }, { ipPrefix: '10.2.' }, { ipPrefix: '10.1.17.' }, { device: 'FIREFOX' },
        { device: 'okhttp', status: 'active' }, { device: 'kiosk' }, { device: 'lobby', sort: 'createdAt' }, { status: 'active' },
        { status: 'expired' }, { status: 'revoked' }, { status: 'cant_refresh' }, { status: 'cant_refresh', sort: 'createdAt' },
        { userId: 'usr_b', status: 'revoked' }, { createdFrom: NOW - 10 * DAY, createdTo: NOW - 9 * DAY },
        { activeFrom: NOW - 3 * DAY, clientId: 'mobile', rememberMe: false },
        { activeFrom: NOW - 20 * DAY, activeTo: NOW - 19 * DAY, sort: 'createdAt', dir: 'asc' },
        { clientId: 'web', ipPrefix: '10.1.', device: 'chrome', status: 'expired', rememberMe: true },
      ];
      for (const filter of cases) expect((await everyPage(filter, 97)).ids, JSON.stringify(filter)).toEqual(oracle(rows, filter));
    });

    it('drives a selective filter from its own index, and bounds the walk of a rare one with partial pages', async () => {
      // The activity order's index: sessions_activity_cover on SQLite (covering), sessions_activity on PostgreSQL.
      const activityWalk = /^walk:sessions_activity(_cover)?$/;
      expect(rows.filter((r) => r.clientId === 'rare').length).toBeLessThan(DRIVE_CAP);
      expect((await search({ clientId: 'rare' }, 50)).plan).toBe('drive:sessions_client_created');
      expect((await search({ ipPrefix: '10.1.17.' }, 50)).plan).toBe('drive:sessions_ip');
      expect((await search({ clientId: 'web' }, 50)).plan).toMatch(activityWalk);
      expect((await search({ status: 'cant_refresh' }, 50)).plan).toBe('drive:sessions_cant_refresh');
      // The kiosk sessions are 1 in 997 and no index finds them: the first page stops after SCAN_BUDGET rows.
      const first = await search({ device: 'kiosk' }, 50);
      expect(first.plan).toMatch(activityWalk);
      expect(first.partial).toBe(true);
      expect(first.items.length).toBeLessThan(50);
      expect(first.next).not.toBeNull();
      const { ids, partial } = await everyPage({ device: 'kiosk' }, 50);
      expect(partial.some(Boolean)).toBe(true);
      expect(ids.length).toBe(rows.filter((r) => r.deviceName === RARE[0]).length);
    });

    it('lists the open sessions of a client (or all), oldest first', async () => {
      const open = (clientId: string | null) => rows.map((row, i) => ({ row, i }))
        .filter(({ row }) => (clientId === null || row.clientId === clientId) && row.revokedAt === null && Math.min(row.idleExpiresAt, row.absoluteExpiresAt) > NOW)
        .sort((a, b) => a.row.createdAt - b.row.createdAt || a.i - b.i).map(({ row }) => row.id);
      expect((await store.sessionSearch.openSessionsOf('rare', NOW)).map((s) => s.id)).toEqual(open('rare'));
      const all = await store.sessionSearch.openSessionsOf(null, NOW);
      expect(all.map((s) => s.id)).toEqual(open(null));
      expect(all[0]).toEqual(rows.find((row) => row.id === all[0]!.id));
    });
  });
}
