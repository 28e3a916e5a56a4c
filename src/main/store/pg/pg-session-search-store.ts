/**
 * `SessionSearchStore` on PostgreSQL: the semantics of ../sqlite-session-search-store.ts, with its two plans:
 * - drive: a filter with an index of its own (user, client, address prefix, a date range, `cant_refresh`) that
 *   matches fewer than DRIVE_CAP rows (a capped count) reads those rows and sorts them: complete;
 * - walk: otherwise the sort order's index is walked, at most a budget of entries per page; when the filters
 *   are rare the page comes back short (`partial`) with a cursor where the walk stopped.
 * PostgreSQL's planner would choose between the two with its statistics, but not bound a page's work: a rare
 * filter would read the whole table for one page. The cap and the budget are SQLite's (see SCAN_BUDGET).
 * `ord` (the sessions' insertion order) is the cursor's tie-breaker, where SQLite uses the rowid. Plans name the
 * PostgreSQL indexes (the core's ./migrations.ts and ./sub-store-schema.ts).
 */
import type { SessionRow } from '../store';
import type { SessionCursor, SessionSearchPage, SessionSearchQuery, SessionSearchStore } from '../session-search-store';
import type { Db, SqlValue } from './db';
import { DRIVE_CAP, FIRST_WINDOW, prefixEnd, SCAN_BUDGET, sessionPage, windowEnd } from '../session-search-rules';
import { SESSION_COLUMNS, selectList } from './pg-columns';
import { bind } from './sub-store-sql';

type Params = Record<string, SqlValue>;
type Picked = SessionRow & { _ord: number };

const SESSION = selectList(SESSION_COLUMNS);
/**
 * SQLite's figures (../session-search-rules.ts). A driving filter is used when it matches fewer rows than
 * DRIVE_CAP; a walked page examines at most SCAN_BUDGET sessions. SQLite allows 25,000 when its covering
 * activity index answers the filters alone; here every candidate's row is read (an index-only scan needs
 * all-visible pages, which the rows refreshes keep rewriting are not): about 9 µs each, so 25,000 would make a
 * rare filter's page cost 150-200 ms.
 */
export { DRIVE_CAP, SCAN_BUDGET } from '../session-search-rules';
const SORT_COLUMN = { lastActivityAt: 'last_activity_at', createdAt: 'created_at' } as const;
/** The engine's status rule (engine/queries.ts `sessionStatus`) in SQL. */
const STATUS_SQL = {
  active: 'revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NULL',
  cant_refresh: 'revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NOT NULL',
  expired: 'revoked_at IS NULL AND live_until <= @now',
  revoked: 'revoked_at IS NOT NULL',
} as const;
/** SQLite's lower(): ASCII letters only (the contract says so), whatever the database's locale; the "C"
 * collation's lower() is exactly that (and some 5 times faster than translate() over the alphabet). */
const asciiLower = (column: string) => `lower(${column} COLLATE "C")`;

function range(column: string, from: number | undefined, to: number | undefined, name: string): string[] {
  const out: string[] = [];
  if (from !== undefined) out.push(`${column} >= @${name}From`);
  if (to !== undefined) out.push(`${column} < @${name}To`);
  return out;
}

/** Strictly after `(key, ord)` in the sort order going `dir`. */
function beyond(col: string, desc: boolean): string {
  const op = desc ? '<' : '>';
  return `${col} ${op}= @afterKey AND (${col} ${op} @afterKey OR ord ${op} @afterOrd)`;
}

export class PgSessionSearchStore implements SessionSearchStore {
  constructor(private readonly db: Db) {}

  async search(query: SessionSearchQuery): Promise<SessionSearchPage> {
    const col = SORT_COLUMN[query.sort];
    const desc = query.dir === 'desc';
    const dir = desc ? 'DESC' : 'ASC';
    const ip = query.ipPrefix?.toLowerCase();
    const all: Record<string, SqlValue | undefined> = {
      now: query.now, userId: query.userId, clientId: query.clientId, ipLo: ip, ipHi: ip === undefined ? undefined : prefixEnd(ip),
      device: query.device?.toLowerCase(), createdFrom: query.createdFrom, createdTo: query.createdTo, activeFrom: query.activeFrom,
      activeTo: query.activeTo, rememberMe: query.rememberMe, afterKey: query.after?.key, afterOrd: query.after?.rowid, limit: query.limit + 1,
    };
    const params: Params = Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined)) as Params;
    const created = range('created_at', query.createdFrom, query.createdTo, 'created');
    const active = range('last_activity_at', query.activeFrom, query.activeTo, 'active');
    const ipTerm = 'ip COLLATE "C" >= @ipLo AND ip COLLATE "C" < @ipHi';
    const filters: string[] = [...created, ...active];
    if (query.userId !== undefined) filters.push('user_id = @userId');
    if (query.clientId !== undefined) filters.push('client_id = @clientId');
    if (ip !== undefined) filters.push(ipTerm);
    if (query.device !== undefined) filters.push(`(strpos(${asciiLower('device_name')}, @device) > 0 OR strpos(${asciiLower('user_agent')}, @device) > 0)`);
    if (query.rememberMe !== undefined) filters.push('remember_me = @rememberMe');
    if (query.status !== undefined) filters.push(STATUS_SQL[query.status]);
    if (query.after) filters.push(beyond(col, desc));

    // The sort order's own index, with the range on its column (which bounds the walk itself). A session is
    // never active before it was created: a creation lower bound ends an activity walk there too.
    const activityFloor = query.createdFrom === undefined ? [] : ['last_activity_at >= @createdFrom'];
    const walk =
      query.sort === 'lastActivityAt'
        ? { index: 'sessions_activity', cond: [...active, ...activityFloor] }
        : query.clientId !== undefined
          ? { index: 'sessions_client_created', cond: ['client_id = @clientId', ...created] }
          : { index: 'sessions_created', cond: created };

    const drivers: { index: string; cond: string[] }[] = [];
    if (query.userId !== undefined) drivers.push({ index: 'sessions_user_activity', cond: ['user_id = @userId', ...active] });
    if (query.clientId !== undefined) drivers.push({ index: 'sessions_client_created', cond: ['client_id = @clientId', ...created] });
    if (ip !== undefined) drivers.push({ index: 'sessions_ip', cond: [ipTerm] });
    if (query.status === 'cant_refresh') drivers.push({ index: 'sessions_cant_refresh', cond: [STATUS_SQL.cant_refresh, ...active] });
    if (created.length > 0) drivers.push({ index: 'sessions_created', cond: created });
    if (active.length > 0) drivers.push({ index: 'sessions_activity', cond: active });

    let best: { index: string; n: number } | undefined;
    for (const driver of drivers) {
      if (driver.index === walk.index) continue;
      const [row] = await this.db.rows<{ n: number }>(...bind(`SELECT count(*) AS n FROM (SELECT 1 FROM sessions WHERE ${driver.cond.join(' AND ')}
        LIMIT ${DRIVE_CAP}) x`, params));
      if (row!.n < DRIVE_CAP && (!best || row!.n < best.n)) best = { index: driver.index, n: row!.n };
    }

    const select = (extra: string[]) =>
      this.db.rows<Picked>(...bind(`SELECT ${SESSION}, ord AS "_ord" FROM sessions WHERE ${['TRUE', ...filters, ...extra].join(' AND ')}
        ORDER BY ${col} ${dir}, ord ${dir} LIMIT @limit`, params));
    const finish = (rows: Picked[], end: SessionCursor | null, plan: string): SessionSearchPage =>
      sessionPage(query, rows, (row) => row._ord, end, plan, ({ _ord: _, ...row }) => row);

    if (best) return finish(await select([]), null, `drive:${best.index}`);

    // Where this page's walk ends: `size` entries on, whatever they hold (the index alone). The window ends
    // after a whole sort key (its ties included). A small window first: a common filter fills the page there.
    const walkCond = [...walk.cond, ...(query.after ? [beyond(col, desc)] : [])];
    for (const size of [FIRST_WINDOW, SCAN_BUDGET]) {
      const [last] = await this.db.rows<{ key: number }>(...bind(`SELECT ${col} AS key FROM sessions WHERE ${['TRUE', ...walkCond].join(' AND ')}
        ORDER BY ${col} ${dir} LIMIT 1 OFFSET ${size - 1}`, params));
      if (!last) return finish(await select([]), null, `walk:${walk.index}`);
      params.endKey = last.key;
      const rows = await select([`${col} ${desc ? '>=' : '<='} @endKey`]);
      // The next page starts after every row of the last key: an ord beyond any real one on that side.
      const end = windowEnd(query, last.key);
      if (rows.length > query.limit || size === SCAN_BUDGET) return finish(rows, end, `walk:${walk.index}`);
    }
    throw new Error('unreachable');
  }

  openSessionsOf(clientId: string | null, now: number): Promise<SessionRow[]> {
    return clientId === null
      ? this.db.rows<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE revoked_at IS NULL AND live_until > $1 ORDER BY created_at, ord`, [now])
      : this.db.rows<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE client_id = $1 AND revoked_at IS NULL AND live_until > $2 ORDER BY created_at, ord`, [clientId, now]);
  }
}
