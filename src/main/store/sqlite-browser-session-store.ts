/** `BrowserSessionStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import { WardenError } from '../../shared/errors';
import { BROWSER_SESSION_PATCH as PATCH, type BrowserSessionPatch, type BrowserSessionRow, type BrowserSessionStore } from './browser-session-store';
import { guarded } from './sqlite-guarded';
import { checkLimit, checkSha256Hex, patchFields } from './store-arguments';

const COLUMNS = `id, cookie_hash AS cookieHash, user_id AS userId, remember_me AS rememberMe, ip, user_agent AS userAgent,
  created_at AS createdAt, auth_time AS authTime, last_seen_at AS lastSeenAt, expires_at AS expiresAt,
  revoked_at AS revokedAt, revoked_by AS revokedBy, revoke_reason AS revokeReason`;

type Raw = Omit<BrowserSessionRow, 'rememberMe'> & { rememberMe: number };
const toRow = (raw: Raw): BrowserSessionRow => ({ ...raw, rememberMe: raw.rememberMe === 1 });

export class SqliteBrowserSessionStore implements BrowserSessionStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async insert(row: BrowserSessionRow): Promise<void> {
    checkSha256Hex(row.cookieHash, 'cookieHash');
    guarded(() => this.q(`INSERT INTO browser_sessions (id, cookie_hash, user_id, remember_me, ip, user_agent, created_at, auth_time,
      last_seen_at, expires_at, revoked_at, revoked_by, revoke_reason) VALUES (@id, @cookieHash, @userId, @rememberMe, @ip,
      @userAgent, @createdAt, @authTime, @lastSeenAt, @expiresAt, @revokedAt, @revokedBy, @revokeReason)`).run({ ...row, rememberMe: row.rememberMe ? 1 : 0 }));
  }

  async get(id: string): Promise<BrowserSessionRow | undefined> {
    const raw = this.q(`SELECT ${COLUMNS} FROM browser_sessions WHERE id = ?`).get(id) as Raw | undefined;
    return raw && toRow(raw);
  }

  async getByCookieHash(cookieHash: string): Promise<BrowserSessionRow | undefined> {
    const raw = this.q(`SELECT ${COLUMNS} FROM browser_sessions WHERE cookie_hash = ?`).get(cookieHash) as Raw | undefined;
    return raw && toRow(raw);
  }

  async update(id: string, patch: BrowserSessionPatch): Promise<void> {
    const fields = patchFields(PATCH, patch, 'update');
    if (fields.length === 0) return;
    const sets = fields.map((field) => `${PATCH[field as keyof BrowserSessionPatch]} = @${field}`).join(', ');
    const result = guarded(() => this.q(`UPDATE browser_sessions SET ${sets} WHERE id = @pk`).run({ ...patch, pk: id }));
    if (result.changes === 0) throw new WardenError('not_found', 'update: no such browser session.');
  }

  async listLiveOfUser(userId: string, now: number): Promise<BrowserSessionRow[]> {
    const rows = this.q(`SELECT ${COLUMNS} FROM browser_sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
      ORDER BY created_at, rowid`).all(userId, now) as Raw[];
    return rows.map(toRow);
  }

  async listOfUser(userId: string, limit: number): Promise<BrowserSessionRow[]> {
    checkLimit(limit);
    const rows = this.q(`SELECT ${COLUMNS} FROM browser_sessions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(userId, limit) as Raw[];
    return rows.map(toRow);
  }

  async openSessionIdsOf(browserSessionId: string): Promise<string[]> {
    const rows = this.q(`SELECT id FROM sessions WHERE browser_session_id = ? AND revoked_at IS NULL ORDER BY created_at, rowid`).all(browserSessionId) as { id: string }[];
    return rows.map((row) => row.id);
  }
}
