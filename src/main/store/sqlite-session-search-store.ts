/**
 * `SessionSearchStore` on the SqliteStore's connection (its statement cache).
 *
 * A page is found in one of two ways, chosen per request so that every filter stays fast at a million rows:
 * - drive: a filter with an index of its own (user, client, address prefix, a date range, `cant_refresh`)
 *   matches fewer than DRIVE_CAP rows (counted on the index, stopping at the cap): those rows are read and
 *   sorted. Complete, at most DRIVE_CAP row lookups.
 * - walk: otherwise the sort order's index is walked and each entry checked against the filters, but a page
 *   examines at most a budget of index entries: when the filters are rare the page comes back short (`partial`)
 *   with a cursor where the walk stopped, instead of reading the whole table. The activity order's index covers
 *   every filter but the device (sessions_activity_cover), so those are checked on the index alone and only
 *   matches are read: WALK_BUDGET entries; a device filter (or the creation order) reads each candidate's row, SCAN_BUDGET of them.
 *   SQLite's planner cannot make this choice itself: its statistics are averages (a client's share of
 *   sessions), not the counts of the values asked for.
 * The status conditions are the engine's one rule (engine/queries.ts `sessionStatus`) in SQL.
 */
import type Database from 'better-sqlite3';
import type { SessionRow } from './store';
import type { SessionCursor, SessionSearchPage, SessionSearchQuery, SessionSearchStore } from './session-search-store';
import { DRIVE_CAP, FIRST_WINDOW, prefixEnd, SCAN_BUDGET, sessionPage, sortKeyOf, windowEnd } from './session-search-rules';
import { SESSION, toSession } from './sqlite-store';

export { DRIVE_CAP, SCAN_BUDGET } from './session-search-rules';
/** At most this many index entries are examined by one walked page whose filters the index answers. */
export const WALK_BUDGET = 25_000;

type Params = Record<string, string | number | undefined>;
type RawSession = Omit<SessionRow, 'rememberMe'> & { rememberMe: number };

const SORT_COLUMN = { lastActivityAt: 'last_activity_at', createdAt: 'created_at' } as const;

const STATUS_SQL = {
  active: 'revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NULL',
  cant_refresh: 'revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NOT NULL',
  expired: 'revoked_at IS NULL AND live_until <= @now',
  revoked: 'revoked_at IS NOT NULL',
} as const;

function range(column: string, from: number | undefined, to: number | undefined, name: string): string[] {
  const out: string[] = [];
  if (from !== undefined) out.push(`${column} >= @${name}From`);
  if (to !== undefined) out.push(`${column} < @${name}To`);
  return out;
}

/** Strictly after `at` in the sort order (`col`, rowid) going `dir`; `inclusive` keeps `at` itself. */
function beyond(col: string, desc: boolean, key: string, rowid: string, inclusive = false): string {
  const op = desc ? '<' : '>';
  return `${col} ${op}= @${key} AND (${col} ${op} @${key} OR rowid ${op}${inclusive ? '=' : ''} @${rowid})`;
}

export class SqliteSessionSearchStore implements SessionSearchStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async search(query: SessionSearchQuery): Promise<SessionSearchPage> {
    const col = SORT_COLUMN[query.sort];
    const desc = query.dir === 'desc';
    const order = `ORDER BY ${col} ${desc ? 'DESC' : 'ASC'}, rowid ${desc ? 'DESC' : 'ASC'}`;
    const ip = query.ipPrefix?.toLowerCase();
    const params: Params = {
      now: query.now,
      userId: query.userId,
      clientId: query.clientId,
      ipLo: ip,
      ipHi: ip === undefined ? undefined : prefixEnd(ip),
      device: query.device?.toLowerCase(),
      createdFrom: query.createdFrom,
      createdTo: query.createdTo,
      activeFrom: query.activeFrom,
      activeTo: query.activeTo,
      rememberMe: query.rememberMe === undefined ? undefined : query.rememberMe ? 1 : 0,
      afterKey: query.after?.key,
      afterRowid: query.after?.rowid,
      limit: query.limit + 1,
    };
    const created = range('created_at', query.createdFrom, query.createdTo, 'created');
    const active = range('last_activity_at', query.activeFrom, query.activeTo, 'active');
    const filters: string[] = [...created, ...active];
    if (query.userId !== undefined) filters.push('user_id = @userId');
    if (query.clientId !== undefined) filters.push('client_id = @clientId');
    if (ip !== undefined) filters.push('ip >= @ipLo AND ip < @ipHi');
    if (query.device !== undefined) filters.push('(instr(lower(device_name), @device) > 0 OR instr(lower(user_agent), @device) > 0)');
    if (query.rememberMe !== undefined) filters.push('remember_me = @rememberMe');
    if (query.status !== undefined) filters.push(STATUS_SQL[query.status]);
    if (query.after) filters.push(beyond(col, desc, 'afterKey', 'afterRowid'));
    const bind = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined));

    // The sort order's own index, with the range on its column (which bounds the walk itself).
    // A session is never active before it was created: a creation lower bound ends an activity walk there too.
    const activityFloor = query.createdFrom === undefined ? [] : ['last_activity_at >= @createdFrom'];
    // In creation order a client's own index holds only its sessions, already in that order.
    const walk =
      query.sort === 'lastActivityAt'
        ? { index: 'sessions_activity_cover', cond: [...active, ...activityFloor] }
        : query.clientId !== undefined
          ? { index: 'sessions_client_created', cond: ['client_id = @clientId', ...created] }
          : { index: 'sessions_created', cond: created };
    const budget = query.sort === 'lastActivityAt' && query.device === undefined ? WALK_BUDGET : SCAN_BUDGET;

    const drivers: { index: string; cond: string[] }[] = [];
    if (query.userId !== undefined) drivers.push({ index: 'sessions_user_activity', cond: ['user_id = @userId', ...active] });
    if (query.clientId !== undefined) drivers.push({ index: 'sessions_client_created', cond: ['client_id = @clientId', ...created] });
    if (ip !== undefined) drivers.push({ index: 'sessions_ip', cond: ['ip >= @ipLo AND ip < @ipHi'] });
    if (query.status === 'cant_refresh') drivers.push({ index: 'sessions_cant_refresh', cond: [STATUS_SQL.cant_refresh, ...active] });
    if (created.length > 0) drivers.push({ index: 'sessions_created', cond: created });
    if (active.length > 0) drivers.push({ index: 'sessions_activity_cover', cond: active });

    let best: { index: string; n: number } | undefined;
    for (const driver of drivers) {
      if (driver.index === walk.index) continue;
      const n = (this.q(`SELECT count(*) AS n FROM (SELECT 1 FROM sessions INDEXED BY ${driver.index} WHERE ${driver.cond.join(' AND ')} LIMIT ${DRIVE_CAP})`)
        .get(bind) as { n: number }).n;
      if (n < DRIVE_CAP && (!best || n < best.n)) best = { index: driver.index, n };
    }

    const keyOf = (row: RawSession) => sortKeyOf(query, row);
    // The page's rowids are picked (and sorted) first, its rows read after: an index whose rowid is not right after
    // the sort column sorts ties itself, and sorting bare rowids costs a sixth of sorting whole rows.
    const select = (index: string, extra: string[]) => {
      const rows = this.q(`SELECT ${SESSION}, s.rowid AS _rowid FROM (SELECT rowid AS picked FROM sessions INDEXED BY ${index}
        WHERE ${['1', ...filters, ...extra].join(' AND ')} ${order} LIMIT @limit) JOIN sessions s ON s.rowid = picked`).all(bind) as (RawSession & { _rowid: number })[];
      const sign = desc ? -1 : 1;
      return rows.sort((a, b) => sign * (keyOf(a) - keyOf(b) || a._rowid - b._rowid));
    };
    const finish = (rows: (RawSession & { _rowid: number })[], end: SessionCursor | null, plan: string): SessionSearchPage =>
      sessionPage(query, rows, (row) => row._rowid, end, plan, ({ _rowid: _, ...row }) => toSession(row));

    if (best) return finish(select(best.index, []), null, `drive:${best.index}`);

    // Where this page's walk ends: `size` entries on, whatever they hold, read from the index alone. The window
    // ends after a whole sort key (its ties included), so finding the end needs no sort of ties by rowid. A small
    // window first: a common filter fills the page there, and only a rare one pays for the whole budget.
    const walkCond = [...walk.cond, ...(query.after ? [beyond(col, desc, 'afterKey', 'afterRowid')] : [])];
    for (const size of [FIRST_WINDOW, budget]) {
      const last = this.q(`SELECT ${col} AS key FROM sessions INDEXED BY ${walk.index} WHERE ${['1', ...walkCond].join(' AND ')}
        ORDER BY ${col} ${desc ? 'DESC' : 'ASC'} LIMIT 1 OFFSET ${size - 1}`).get(bind) as { key: number } | undefined;
      if (!last) return finish(select(walk.index, []), null, `walk:${walk.index}`);
      bind['endKey'] = last.key;
      const rows = select(walk.index, [`${col} ${desc ? '>=' : '<='} @endKey`]);
      // The next page starts after every row of the last key: a rowid beyond any real one on that side.
      const end = windowEnd(query, last.key);
      if (rows.length > query.limit || size === budget) return finish(rows, end, `walk:${walk.index}`);
    }
    throw new Error('unreachable');
  }

  async openSessionsOf(clientId: string | null, now: number): Promise<SessionRow[]> {
    const rows = (clientId === null
      ? this.q(`SELECT ${SESSION} FROM sessions WHERE revoked_at IS NULL AND live_until > ? ORDER BY created_at, rowid`).all(now)
      : this.q(`SELECT ${SESSION} FROM sessions WHERE client_id = ? AND revoked_at IS NULL AND live_until > ? ORDER BY created_at, rowid`).all(clientId, now)) as RawSession[];
    return rows.map(toSession);
  }
}
