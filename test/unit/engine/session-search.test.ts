/**
 * searchSessions against a brute-force oracle: every filter, both sorts, both directions, paged to the end by
 * cursor, on enough sessions that both plans run (driven by a selective index, and the bounded walk that returns
 * short `partial` pages for rare filters).
 */
import { describe, expect, it } from 'vitest';
import { sessionStatus } from '../../../src/main/engine/queries';
import { DRIVE_CAP, SCAN_BUDGET } from '../../../src/main/store/sqlite-session-search-store';
import type { SessionRow } from '../../../src/main/store/store';
import { adminApi } from '../../../src/shared/admin-api';
import type { SessionInfo } from '../../../src/shared/dto';
import type { SearchSessionsInput } from '../../../src/shared/session-search';
import { ADMIN, DAY, HOUR, ON_POSTGRES, expectCode, makeHarness, type Harness } from './harness';

const DEVICES: Array<[string, string]> = [
  ['Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
  ['Chrome on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36'],
  ["Ana's phone", 'okhttp/4.12.0'],
];
/** A device only a handful of sessions have, spread through the whole range: the walk's hard case. */
const RARE: [string, string] = ['Kiosk 7', 'KioskBrowser/2.1 (Lobby)'];
const N = SCAN_BUDGET * 2 + 500;

/** Sessions written straight to the store (the engine's login would cost a password hash each). */
async function seed(h: Harness): Promise<SessionRow[]> {
  const now = h.clock.now();
  const users = [h.userId, 'usr_b', 'usr_c'];
  for (const id of users.slice(1)) await h.store.insertUser({ ...(await h.store.getUser(h.userId))!, id, username: id });
  await h.engine.admin.createClient({ clientId: 'rare', kind: 'public', name: 'Rare app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  const rows: SessionRow[] = [];
  let r = 12345;
  const random = () => ((r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  await h.store.transaction(async () => {
    for (let i = 0; i < N; i += 1) {
      const rare = i % 997 === 0;
      const [deviceName, userAgent] = rare ? RARE : DEVICES[i % DEVICES.length]!;
      // Coarse times (whole hours) so many rows share a sort key: the rowid must break the ties.
      const createdAt = now - Math.floor(random() * 60) * DAY - Math.floor(random() * 24) * HOUR;
      const lastActivityAt = Math.min(now, createdAt + Math.floor(random() * 48) * HOUR);
      const rememberMe = i % 3 === 0;
      const idle = lastActivityAt + (rememberMe ? 7 * DAY : 2 * HOUR);
      const absolute = createdAt + (rememberMe ? 30 * DAY : 12 * HOUR);
      const revoked = i % 7 === 0;
      const row: SessionRow = {
        id: `ses_${String(i).padStart(6, '0')}`,
        userId: users[i % users.length]!,
        clientId: i % 1500 === 1 ? 'rare' : i % 2 ? 'web' : 'mobile',
        deviceName,
        userAgent,
        ip: `10.${i % 4}.${(i >> 2) % 256}.${i % 200}`,
        rememberMe,
        scope: 'openid',
        createdAt,
        lastActivityAt,
        idleExpiresAt: Math.min(idle, absolute),
        absoluteExpiresAt: absolute,
        revokedAt: revoked ? lastActivityAt : null,
        revokedBy: revoked ? 'admin:test' : null,
        revokeReason: revoked ? 'test' : null,
        refreshCount: 0,
        browserSessionId: null,
        refreshEndedAt: !revoked && i % 11 === 0 ? lastActivityAt : null,
      };
      await h.store.insertSession(row);
      rows.push(row);
    }
  });
  return rows;
}

function oracle(rows: SessionRow[], now: number, f: SearchSessionsInput): string[] {
  const by = f.sort?.by ?? 'lastActivityAt';
  const dir = f.sort?.dir ?? 'desc';
  const device = f.device?.toLowerCase();
  const matched = rows
    .map((row, i) => ({ row, rowid: i + 1 }))
    .filter(({ row }) =>
      (f.userId === undefined || row.userId === f.userId) &&
      (f.clientId === undefined || row.clientId === f.clientId) &&
      (f.ipPrefix === undefined || row.ip.startsWith(f.ipPrefix)) &&
      (device === undefined || row.deviceName.toLowerCase().includes(device) || row.userAgent.toLowerCase().includes(device)) &&
      (f.status === undefined || sessionStatus(row, now) === f.status) &&
      (f.rememberMe === undefined || row.rememberMe === f.rememberMe) &&
      (f.createdFrom === undefined || row.createdAt >= f.createdFrom) &&
      (f.createdTo === undefined || row.createdAt < f.createdTo) &&
      (f.activeFrom === undefined || row.lastActivityAt >= f.activeFrom) &&
      (f.activeTo === undefined || row.lastActivityAt < f.activeTo));
  const key = (row: SessionRow) => (by === 'createdAt' ? row.createdAt : row.lastActivityAt);
  matched.sort((a, b) => (key(a.row) - key(b.row) || a.rowid - b.rowid) * (dir === 'desc' ? -1 : 1));
  return matched.map(({ row }) => row.id);
}

async function everyPage(h: Harness, filter: SearchSessionsInput, limit: number) {
  const ids: string[] = [];
  const pages: { items: SessionInfo[]; partial: boolean }[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i += 1) {
    const page = await h.engine.admin.searchSessions({ ...filter, limit, ...(cursor ? { cursor } : {}) }, ADMIN);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pages.push(page);
    ids.push(...page.items.map((s) => s.id));
    if (page.nextCursor === null) return { ids, pages };
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

/** Some thousands of pages over thousands of rows: on PostgreSQL (a round trip per page) on a busy machine this takes over 20 s. */
const SEARCH_EVERY_PAGE_TIMEOUT_MS = 90_000;

describe('searchSessions', () => {
  it('returns exactly what the filters select, in order, across every page, for every filter and sort', async () => {
    const h = await makeHarness();
    const rows = await seed(h);
    const now = h.clock.now();
    const cases: SearchSessionsInput[] = [
      {},
      { sort: { by: 'createdAt', dir: 'desc' } },
      { sort: { by: 'lastActivityAt', dir: 'asc' } },
      { sort: { by: 'createdAt', dir: 'asc' }, rememberMe: true },
      { clientId: 'web' },
      { clientId: 'rare' },
      { clientId: 'rare', sort: { by: 'createdAt', dir: 'asc' } },
      { ipPrefix: '10.2.' },
      { ipPrefix: '10.1.17.' },
      { device: 'FIREFOX' },
      { device: 'okhttp', status: 'active' },
      { device: 'kiosk' },
      { device: 'lobby', sort: { by: 'createdAt', dir: 'desc' } },
      { status: 'active' },
      { status: 'expired' },
      { status: 'revoked' },
      { status: 'cant_refresh' },
      { status: 'cant_refresh', sort: { by: 'createdAt', dir: 'desc' } },
      { userId: 'usr_b', status: 'revoked' },
      { createdFrom: now - 10 * DAY, createdTo: now - 9 * DAY },
      { activeFrom: now - 3 * DAY, clientId: 'mobile', rememberMe: false },
      { activeFrom: now - 20 * DAY, activeTo: now - 19 * DAY, sort: { by: 'createdAt', dir: 'asc' } },
      { clientId: 'web', ipPrefix: '10.1.', device: 'chrome', status: 'expired', rememberMe: true },
    ];
    for (const filter of cases) {
      const expected = oracle(rows, now, filter);
      const { ids } = await everyPage(h, filter, 97);
      expect(ids, JSON.stringify(filter)).toEqual(expected);
    }
  }, SEARCH_EVERY_PAGE_TIMEOUT_MS);

  it('drives a selective filter from its own index, and bounds the walk of a rare one with partial pages', async () => {
    // The last-activity index is a covering one on SQLite, a plain one on PostgreSQL: each store names its own.
    const WALK_ACTIVITY = ON_POSTGRES ? 'walk:sessions_activity' : 'walk:sessions_activity_cover';
    const h = await makeHarness();
    const rows = await seed(h);
    const search = h.store.sessionSearch;
    const base = { now: h.clock.now(), sort: 'lastActivityAt' as const, dir: 'desc' as const, limit: 50 };
    expect(rows.filter((r) => r.clientId === 'rare').length).toBeLessThan(DRIVE_CAP);
    expect((await search.search({ ...base, clientId: 'rare' })).plan).toBe('drive:sessions_client_created');
    expect((await search.search({ ...base, ipPrefix: '10.1.17.' })).plan).toBe('drive:sessions_ip');
    expect((await search.search({ ...base, clientId: 'web' })).plan).toBe(WALK_ACTIVITY);
    expect((await search.search({ ...base, status: 'revoked' })).plan).toBe(WALK_ACTIVITY);
    expect((await search.search({ ...base, status: 'cant_refresh' })).plan).toBe('drive:sessions_cant_refresh');
    // The kiosk sessions are 1 in 997 and no index finds them: the first page stops after SCAN_BUDGET rows.
    const first = await search.search({ ...base, device: 'kiosk' });
    expect(first.plan).toBe(WALK_ACTIVITY);
    expect(first.partial).toBe(true);
    expect(first.items.length).toBeLessThan(50);
    expect(first.next).not.toBeNull();
    const { pages, ids } = await everyPage(h, { device: 'kiosk' }, 50);
    expect(pages.some((p) => p.partial)).toBe(true);
    expect(ids.length).toBe(rows.filter((r) => r.deviceName === RARE[0]).length);
  });

  it('refuses a cursor of another sort, a forged one and a "to" before "from"', async () => {
    const h = await makeHarness();
    await seed(h);
    const page = await h.engine.admin.searchSessions({ limit: 5 }, ADMIN);
    expect(page.nextCursor).not.toBeNull();
    await expectCode(() => h.engine.admin.searchSessions({ cursor: page.nextCursor!, sort: { by: 'createdAt', dir: 'desc' } }, ADMIN), 'invalid_input');
    await expectCode(() => h.engine.admin.searchSessions({ cursor: 'bm90LWEtY3Vyc29y' }, ADMIN), 'invalid_input');
    const backwards = adminApi.searchSessions.input.safeParse({ createdFrom: 2000, createdTo: 1000 });
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues[0]?.path).toEqual(['createdTo']);
    expect(adminApi.searchSessions.input.safeParse({ ipPrefix: "10.0.0.1' OR 1" }).success).toBe(false);
  });
});
