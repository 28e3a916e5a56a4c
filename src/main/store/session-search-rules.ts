/**
 * What the SQLite and PostgreSQL `SessionSearchStore`s share (./sqlite-session-search-store.ts,
 * ./pg/pg-session-search-store.ts): the bounds of a page's work and the cursor a page hands out. The SQL (and
 * which index each plan names) stays with each store; only this is one code for both, so that a cursor and a
 * `partial` page mean the same on either.
 */
import type { SessionRow } from './store';
import type { SessionCursor, SessionSearchPage, SessionSearchQuery } from './session-search-store';

/** A driving filter is used when it matches fewer rows than this (a capped count on its index says so). */
export const DRIVE_CAP = 2000;
/**
 * At most this many sessions are examined by one walked page when each candidate's row must be read (a
 * device filter, the creation order; on PostgreSQL every walk: see its store).
 */
export const SCAN_BUDGET = 4000;
/** The first window a walked page tries before its whole budget. */
export const FIRST_WINDOW = 1000;

/** The first string greater than every string starting with `prefix` (ASCII: the last character plus one). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** The sort key a cursor holds for `row`: the query's sort column. */
export function sortKeyOf(query: Pick<SessionSearchQuery, 'sort'>, row: Pick<SessionRow, 'createdAt' | 'lastActivityAt'>): number {
  return query.sort === 'createdAt' ? row.createdAt : row.lastActivityAt;
}

/**
 * Where the page after a walked window starts: after every row of the window's last key, i.e. a tie-breaker
 * (rowid, ord) beyond any real one on that side of the sort.
 */
export function windowEnd(query: Pick<SessionSearchQuery, 'dir'>, key: number): SessionCursor {
  return { key, rowid: query.dir === 'desc' ? 0 : Number.MAX_SAFE_INTEGER };
}

/**
 * The page of `rows` (in sort order, up to `limit + 1` of them, each with its tie-breaker `tie`): `limit` items,
 * the cursor after the last one when there are more, else `end` (where a bounded walk stopped; null when the
 * walk reached the end of the sort order). A page is `partial` when it is short although the walk did not end.
 */
export function sessionPage<R extends Pick<SessionRow, 'createdAt' | 'lastActivityAt'>>(
  query: Pick<SessionSearchQuery, 'sort' | 'limit'>,
  rows: R[],
  tie: (row: R) => number,
  end: SessionCursor | null,
  plan: string,
  item: (row: R) => SessionRow,
): SessionSearchPage {
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = page[page.length - 1];
  const next = more && last ? { key: sortKeyOf(query, last), rowid: tie(last) } : end;
  return { items: page.map(item), next, partial: !more && end !== null && page.length < query.limit, plan };
}
