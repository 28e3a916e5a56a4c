/**
 * `UserDirectoryStore` on PostgreSQL: the semantics of ../sqlite-user-directory-store.ts (same matches, order,
 * totals and paging). Each page is one statement; PostgreSQL's planner, which keeps per-value statistics, picks
 * between walking the sort column's index and fetching the filter's matches (the choice SQLite's store makes by
 * hand). The matches of 3+ characters come from the pg_trgm GIN index (USER_TEXT LIKE '%text%', both folded: a
 * case-insensitive substring of username, display name or email: FTS5 trigram's answer); 1–2 characters are
 * the start of the username, a range of the folded-name index. Totals without a search come from the row
 * counts the core keeps (tallies) and the lock index.
 */
import { WardenError } from '../../../shared/errors';
import type { Page } from '../store';
import type {
  DeletedRows, DirectoryQuery, DirectorySort, DirectoryStatus, UserDirectoryRow, UserDirectoryStore, UserProfile,
} from '../user-directory-store';
import { isPrefixSearch, listDirectory, profileUpdate, searchText } from '../user-directory-rules';
import type { Db, SqlValue } from './db';
import { rowCount } from './pg-tallies';
import { fold, USER_NAME, USER_TEXT } from './sub-store-schema';
import { bind, columns, escapeLike } from './sub-store-sql';

type Params = Record<string, SqlValue>;

const COLUMNS = columns({
  id: 'id', username: 'username', passwordHash: 'password_hash', status: 'status', createdAt: 'created_at',
  refreshVersion: 'refresh_version', notBefore: 'not_before', blockedAt: 'blocked_at', blockedReason: 'blocked_reason',
  failedLogins: 'failed_logins', lockedUntil: 'locked_until', lastLoginAt: 'last_login_at', displayName: 'display_name',
  email: 'email', attributes: 'attributes',
}, 'u');
/** The folded name in byte order: SQLite's NOCASE order beyond ASCII too (the users_name_c index). */
const NAME = USER_NAME;
const STATUS_TERM: Record<DirectoryStatus, string> = {
  blocked: "u.status = 'blocked'",
  locked: "u.status = 'active' AND u.locked_until > @now",
  active: "u.status = 'active' AND (u.locked_until IS NULL OR u.locked_until <= @now)",
};
export { MIN_SUBSTRING } from '../user-directory-rules';
/** Greater than any continuation of a prefix in byte order. */
const TOP = '\u{10FFFF}';

const where = (...terms: string[]) => {
  const kept = terms.filter((t) => t !== '');
  return kept.length === 0 ? '' : `WHERE ${kept.map((t) => `(${t})`).join(' AND ')}`;
};

/** ORDER BY of a sort: SQLite orders NULL first ascending and last descending (last logins). */
function orderBy(sort: Exclude<DirectorySort, 'status'>, dir: 'asc' | 'desc'): string {
  const column = sort === 'username' ? NAME : sort === 'createdAt' ? 'u.created_at' : 'u.last_login_at';
  const nulls = sort === 'lastLoginAt' ? (dir === 'asc' ? ' NULLS FIRST' : ' NULLS LAST') : '';
  return `ORDER BY ${column} ${dir}${nulls}, u.ord ${dir}`;
}

export class PgUserDirectoryStore implements UserDirectoryStore {
  constructor(private readonly db: Db) {}

  get(userId: string): Promise<UserDirectoryRow | undefined> {
    return this.db.row<UserDirectoryRow>(`SELECT ${COLUMNS} FROM users u WHERE u.id = $1`, [userId]);
  }

  async updateProfile(userId: string, patch: Partial<UserProfile>): Promise<void> {
    const update = profileUpdate(patch);
    if (update.length === 0) return;
    const sets = update.map(({ column }, i) => `${column} = $${i + 2}`).join(', ');
    const changed = await this.db.run(`UPDATE users SET ${sets} WHERE id = $1`, [userId, ...update.map(({ value }) => value)]);
    if (changed === 0) throw new WardenError('not_found', `No user with id ${userId}.`);
  }

  async deleteUser(userId: string): Promise<DeletedRows> {
    const run = (sql: string) => this.db.run(sql, [userId]);
    // Children before parents (foreign keys): codes name sessions and browser sessions, tokens name sessions.
    const authorizationCodes = await run('DELETE FROM authorization_codes WHERE user_id = $1');
    const accessTokens = await run('DELETE FROM access_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)');
    const refreshTokens = await run('DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = $1)');
    const sessions = await run('DELETE FROM sessions WHERE user_id = $1');
    const browserSessions = await run('DELETE FROM browser_sessions WHERE user_id = $1');
    if ((await run('DELETE FROM users WHERE id = $1')) === 0) throw new WardenError('not_found', `No user with id ${userId}.`);
    return { sessions, refreshTokens, accessTokens, browserSessions, authorizationCodes };
  }

  list(query: DirectoryQuery): Promise<Page<UserDirectoryRow>> {
    return listDirectory(query, (status, sort, dir, offset, limit) => this.page(query, status, sort, dir, offset, limit));
  }

  /** One sorted page of the matches of `query.search` and `status`. */
  private async page(query: DirectoryQuery, status: DirectoryStatus | undefined, sort: Exclude<DirectorySort, 'status'>, dir: 'asc' | 'desc',
    offset: number, limit: number): Promise<Page<UserDirectoryRow>> {
    const search = searchText(query);
    const params: Params = { now: query.now, offset, limit };
    let searchTerm = '';
    if (isPrefixSearch(search)) {
      params.lo = search.toLowerCase();
      params.hi = search.toLowerCase() + TOP;
      searchTerm = `${NAME} >= @lo AND ${NAME} < @hi`;
    } else if (search !== '') {
      params.like = `%${escapeLike(search)}%`;
      searchTerm = `${USER_TEXT} LIKE ${fold('@like::text')}`;
    }
    const statusTerm = status ? STATUS_TERM[status] : '';
    const total = await this.count(searchTerm, status, params);
    if (total <= offset || limit === 0) return { items: [], total };
    const sql = `SELECT ${COLUMNS} FROM users u ${where(searchTerm, statusTerm)} ${orderBy(sort, dir)} LIMIT @limit OFFSET @offset`;
    return { items: await this.db.rows<UserDirectoryRow>(...bind(sql, params)), total };
  }

  /** How many match: without a search from the row counts (and the lock index), else counted. */
  private async count(searchTerm: string, status: DirectoryStatus | undefined, params: Params): Promise<number> {
    const counted = async (...terms: string[]) => (await this.db.rows<{ n: number }>(...bind(`SELECT count(*) AS n FROM users u ${where(...terms)}`, params)))[0]!.n;
    if (searchTerm !== '') return counted(searchTerm, status ? STATUS_TERM[status] : '');
    if (status === undefined) return rowCount(this.db, 'users');
    if (status === 'blocked') return rowCount(this.db, 'users_blocked');
    const locked = await counted('u.locked_until IS NOT NULL', STATUS_TERM.locked);
    if (status === 'locked') return locked;
    return (await rowCount(this.db, 'users')) - (await rowCount(this.db, 'users_blocked')) - locked;
  }
}
