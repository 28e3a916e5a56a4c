/**
 * `UserDirectoryStore` on the SqliteStore's connection and statement cache. Every page is served by an index
 * (100k users: see bench/suites/scale.ts); two plans per query, picked by how dense the matches are:
 * - walk: read the sort column's index in order and keep the rows that match, until the page is full. Cheap
 *   when matches are dense ("ali" among 100k users fills 50 rows within a few hundred).
 * - fetch: take every match from the filter's own index (the search index, the username range, the lock
 *   index) and sort them. Cheap when matches are few.
 * The count comes first (from row_counts, a small index range, or the search index) and picks the plan.
 */
import type Database from 'better-sqlite3';
import { WardenError } from '../../shared/errors';
import type { Page } from './store';
import type {
  DeletedRows, DirectoryQuery, DirectorySort, DirectoryStatus, UserDirectoryRow, UserDirectoryStore, UserProfile,
} from './user-directory-store';
import { guarded } from './sqlite-guarded';
import { isPrefixSearch, listDirectory, profileUpdate, searchText } from './user-directory-rules';

type Params = Record<string, unknown>;
type Raw = Omit<UserDirectoryRow, 'attributes'> & { attributes: string };

const COLUMNS = `u.id, u.username, u.password_hash AS passwordHash, u.status, u.created_at AS createdAt,
  u.refresh_version AS refreshVersion, u.not_before AS notBefore, u.blocked_at AS blockedAt,
  u.blocked_reason AS blockedReason, u.failed_logins AS failedLogins, u.locked_until AS lockedUntil,
  u.last_login_at AS lastLoginAt, u.display_name AS displayName, u.email, u.attributes`;

const SORTED: Record<Exclude<DirectorySort, 'status'>, { index: string; column: string }> = {
  username: { index: 'users_username', column: 'u.username' },
  createdAt: { index: 'users_created', column: 'u.created_at' },
  lastLoginAt: { index: 'users_last_login', column: 'u.last_login_at' },
};
const STATUS_TERM: Record<DirectoryStatus, string> = {
  blocked: "u.status = 'blocked'",
  locked: "u.status = 'active' AND u.locked_until > @now",
  active: "u.status = 'active' AND (u.locked_until IS NULL OR u.locked_until <= @now)",
};
export { MIN_SUBSTRING } from './user-directory-rules';

/** A WHERE clause of the terms given (empty ones left out), each parenthesised. */
const where = (...terms: string[]) => {
  const kept = terms.filter((t) => t !== '');
  return kept.length === 0 ? '' : `WHERE ${kept.map((t) => `(${t})`).join(' AND ')}`;
};
const toRow = (raw: Raw): UserDirectoryRow => ({ ...raw, attributes: JSON.parse(raw.attributes) as Record<string, string> });
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
/** An FTS5 phrase: the whole text, quotes doubled, so nothing in it is read as query syntax. */
const phrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

interface Plan {
  /** A WHERE term (or '') that selects the matches when walking any index. */
  walkTerm: string;
  /** The matches from the filter's own index, as a FROM clause and a WHERE term; undefined: walk only. */
  fetch?: { from: string; term: string };
  params: Params;
}

export class SqliteUserDirectoryStore implements UserDirectoryStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async get(userId: string): Promise<UserDirectoryRow | undefined> {
    const raw = this.q(`SELECT ${COLUMNS} FROM users u WHERE u.id = ?`).get(userId) as Raw | undefined;
    return raw && toRow(raw);
  }

  async updateProfile(userId: string, patch: Partial<UserProfile>): Promise<void> {
    const update = profileUpdate(patch);
    if (update.length === 0) return;
    const values: Params = { pk: userId };
    for (const { field, value } of update) values[field] = value;
    const sets = update.map(({ field, column }) => `${column} = @${field}`).join(', ');
    const result = guarded(() => this.q(`UPDATE users SET ${sets} WHERE id = @pk`).run(values));
    if (result.changes === 0) throw new WardenError('not_found', `No user with id ${userId}.`);
  }

  async deleteUser(userId: string): Promise<DeletedRows> {
    const run = (sql: string) => guarded(() => this.q(sql).run(userId)).changes;
    // Children before parents (foreign keys): codes name sessions and browser sessions, tokens name sessions.
    const authorizationCodes = run('DELETE FROM authorization_codes WHERE user_id = ?');
    const accessTokens = run('DELETE FROM access_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)');
    const refreshTokens = run('DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)');
    const sessions = run('DELETE FROM sessions WHERE user_id = ?');
    const browserSessions = run('DELETE FROM browser_sessions WHERE user_id = ?');
    if (run('DELETE FROM users WHERE id = ?') === 0) throw new WardenError('not_found', `No user with id ${userId}.`);
    return { sessions, refreshTokens, accessTokens, browserSessions, authorizationCodes };
  }

  list(query: DirectoryQuery): Promise<Page<UserDirectoryRow>> {
    return listDirectory(query, async (status, sort, dir, offset, limit) => this.page(query, status, sort, dir, offset, limit));
  }

  /** One sorted page of the matches of `query.search` and `status`. */
  private page(query: DirectoryQuery, status: DirectoryStatus | undefined, sort: Exclude<DirectorySort, 'status'>, dir: 'asc' | 'desc', offset: number, limit: number): Page<UserDirectoryRow> {
    const plan = this.plan(searchText(query), sort);
    const params: Params = { ...plan.params, now: query.now, offset, limit };
    const statusTerm = status ? STATUS_TERM[status] : '';
    const { source, total } = this.matches(plan, status, params);
    if (total <= offset || limit === 0) return { items: [], total };
    const { index, column } = SORTED[sort];
    const order = `ORDER BY ${column} ${dir}, u.rowid ${dir} LIMIT @limit OFFSET @offset`;
    // Walking reads about (offset + limit) × all / total index entries; fetching reads total rows and sorts them.
    const walk = source === undefined || ((offset + limit) * this.rowCount('users')) / total < 3 * total;
    const sql = walk
      ? `SELECT ${COLUMNS} FROM users u INDEXED BY ${index} ${where(plan.walkTerm, statusTerm)} ${order}`
      : `SELECT ${COLUMNS} FROM ${source.from} ${where(...source.terms)} ${order}`;
    return { items: (this.q(sql).all(params) as Raw[]).map(toRow), total };
  }

  private plan(search: string, sort: Exclude<DirectorySort, 'status'>): Plan {
    if (search === '') return { walkTerm: '', params: {} };
    if (isPrefixSearch(search)) {
      // The NOCASE username index serves a LIKE prefix as a range (SQLite's LIKE optimization). Walking another
      // sort index must not use it, hence `+`; walking the username index itself walks exactly that range.
      const prefix = { prefix: `${escapeLike(search)}%` };
      const column = sort === 'username' ? 'u.username' : '+u.username';
      return { walkTerm: `${column} LIKE @prefix ESCAPE '\\'`, fetch: { from: 'users u INDEXED BY users_username', term: "u.username LIKE @prefix ESCAPE '\\'" }, params: prefix };
    }
    const params = { match: phrase(search), like: `%${escapeLike(search)}%` };
    // For ASCII text, LIKE is exactly the trigram index's case-insensitive substring test, row by row, without
    // first collecting every match; beyond ASCII only the index folds case, so the walk asks it.
    // eslint-disable-next-line no-control-regex
    const walkTerm = /^[\x00-\x7f]*$/.test(search)
      ? "u.username LIKE @like ESCAPE '\\' OR u.display_name LIKE @like ESCAPE '\\' OR u.email LIKE @like ESCAPE '\\'"
      : 'u.search_key IN (SELECT rowid FROM users_search WHERE users_search MATCH @match)';
    return { walkTerm, fetch: { from: 'users_search s CROSS JOIN users u INDEXED BY users_search_key ON u.search_key = s.rowid', term: 'users_search MATCH @match' }, params };
  }

  /**
   * How many match, and the index to fetch them from: the narrower of the search's own index and a rare
   * status's (locked, blocked), each sized first from what costs nothing or little (row counts, the lock index,
   * the search index alone), so that a search combined with `locked` reads the few locked users, not every match.
   */
  private matches(plan: Plan, status: DirectoryStatus | undefined, params: Params): { source?: { from: string; terms: string[] }; total: number } {
    const count = (sql: string) => (this.q(sql).get(params) as { n: number }).n;
    const all = this.rowCount('users');
    const blocked = this.rowCount('users_blocked');
    const locked = () => count(`SELECT count(*) AS n FROM users u INDEXED BY users_locked WHERE ${STATUS_TERM.locked}`);
    const statusSource =
      status === 'locked' ? { from: 'users u INDEXED BY users_locked', term: STATUS_TERM.locked, size: locked() }
        : status === 'blocked' ? { from: 'users u INDEXED BY users_status_created', term: STATUS_TERM.blocked, size: blocked }
          : undefined;
    if (plan.fetch === undefined) {
      if (status === undefined) return { total: all };
      if (statusSource) return { source: { from: statusSource.from, terms: [statusSource.term] }, total: statusSource.size };
      return { total: all - blocked - locked() };
    }
    const searchSize = plan.params.match !== undefined
      ? count('SELECT count(*) AS n FROM users_search WHERE users_search MATCH @match')
      : count(`SELECT count(*) AS n FROM ${plan.fetch.from} WHERE ${plan.fetch.term}`);
    if (status === undefined) return { source: { from: plan.fetch.from, terms: [plan.fetch.term] }, total: searchSize };
    if (statusSource && statusSource.size < searchSize) {
      const terms = [statusSource.term, plan.walkTerm];
      return { source: { from: statusSource.from, terms }, total: count(`SELECT count(*) AS n FROM ${statusSource.from} ${where(...terms)}`) };
    }
    const terms = [plan.fetch.term, STATUS_TERM[status]];
    return { source: { from: plan.fetch.from, terms }, total: count(`SELECT count(*) AS n FROM ${plan.fetch.from} ${where(...terms)}`) };
  }

  private rowCount(name: string): number {
    return (this.q('SELECT n FROM row_counts WHERE name = ?').get(name) as { n: number }).n;
  }
}

