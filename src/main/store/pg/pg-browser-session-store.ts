/** `BrowserSessionStore` on PostgreSQL (table in ./sub-store-schema.ts); the semantics of ../sqlite-browser-session-store.ts. */
import { WardenError } from '../../../shared/errors';
import { BROWSER_SESSION_PATCH as PATCH, type BrowserSessionPatch, type BrowserSessionRow, type BrowserSessionStore } from '../browser-session-store';
import { checkLimit, checkSha256Hex, patchFields } from '../store-arguments';
import type { SqlValue } from './db';
import { columns, patchSql, type SqlRunner } from './sub-store-sql';

const COLUMN_MAP = {
  id: 'id', cookieHash: 'cookie_hash', userId: 'user_id', rememberMe: 'remember_me', ip: 'ip', userAgent: 'user_agent',
  createdAt: 'created_at', authTime: 'auth_time', lastSeenAt: 'last_seen_at', expiresAt: 'expires_at',
  revokedAt: 'revoked_at', revokedBy: 'revoked_by', revokeReason: 'revoke_reason',
};
const COLUMNS = columns(COLUMN_MAP);

export class PgBrowserSessionStore implements BrowserSessionStore {
  constructor(private readonly db: SqlRunner) {}

  async insert(row: BrowserSessionRow): Promise<void> {
    checkSha256Hex(row.cookieHash, 'cookieHash');
    const keys = Object.keys(COLUMN_MAP) as (keyof BrowserSessionRow)[];
    await this.db.run(`INSERT INTO browser_sessions (${Object.values(COLUMN_MAP).join(', ')}) VALUES (${keys.map((_, i) => `$${i + 1}`).join(', ')})`,
      keys.map((key) => row[key] as SqlValue));
  }

  async get(id: string): Promise<BrowserSessionRow | undefined> {
    return (await this.db.rows<BrowserSessionRow>(`SELECT ${COLUMNS} FROM browser_sessions WHERE id = $1`, [id]))[0];
  }

  async getByCookieHash(cookieHash: string): Promise<BrowserSessionRow | undefined> {
    return (await this.db.rows<BrowserSessionRow>(`SELECT ${COLUMNS} FROM browser_sessions WHERE cookie_hash = $1`, [cookieHash]))[0];
  }

  async update(id: string, patch: BrowserSessionPatch): Promise<void> {
    // The SQLite version's messages: `update: "<field>" cannot be updated`, `update: no such browser session.`
    patchFields(PATCH, patch, 'update');
    const update = patchSql(PATCH, patch, 'browser session', 2);
    if (!update) return;
    const changed = await this.db.run(`UPDATE browser_sessions SET ${update.sets} WHERE id = $1`, [id, ...update.values]);
    if (changed === 0) throw new WardenError('not_found', 'update: no such browser session.');
  }

  listLiveOfUser(userId: string, now: number): Promise<BrowserSessionRow[]> {
    return this.db.rows(`SELECT ${COLUMNS} FROM browser_sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
      ORDER BY created_at, ord`, [userId, now]);
  }

  async listOfUser(userId: string, limit: number): Promise<BrowserSessionRow[]> {
    checkLimit(limit);
    return this.db.rows(`SELECT ${COLUMNS} FROM browser_sessions WHERE user_id = $1 ORDER BY created_at DESC, ord DESC LIMIT $2`, [userId, limit]);
  }

  async openSessionIdsOf(browserSessionId: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>('SELECT id FROM sessions WHERE browser_session_id = $1 AND revoked_at IS NULL ORDER BY created_at, ord', [browserSessionId]);
    return rows.map((row) => row.id);
  }
}
