/** `AdminStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import { WardenError } from '../../shared/errors';
import { ADMIN_PATCH, KEY_PATCH, SESSION_PATCH } from './admin-rules';
import type { AdminKeyRow, AdminPatch, AdminRow, AdminSessionPatch, AdminSessionRow, AdminStore } from './admin-store';
import { guarded } from './sqlite-guarded';
import { checkLimit, checkSha256Hex, patchFields } from './store-arguments';

const ADMIN_COLUMNS = `id, username, password_hash AS passwordHash, role, disabled_at AS disabledAt, totp_secret AS totpSecret,
  totp_pending_secret AS totpPendingSecret, totp_last_step AS totpLastStep, failed_logins AS failedLogins,
  locked_until AS lockedUntil, created_at AS createdAt, last_login_at AS lastLoginAt`;
const KEY_COLUMNS = `id, admin_id AS adminId, name, key_hash AS keyHash, created_at AS createdAt, last_used_at AS lastUsedAt,
  revoked_at AS revokedAt, revoked_by AS revokedBy`;
const SESSION_COLUMNS = `id, token_hash AS tokenHash, admin_id AS adminId, actor, ip, user_agent AS userAgent, created_at AS createdAt,
  last_seen_at AS lastSeenAt, idle_expires_at AS idleExpiresAt, absolute_expires_at AS absoluteExpiresAt, revoked_at AS revokedAt,
  revoked_by AS revokedBy, revoke_reason AS revokeReason`;

export class SqliteAdminStore implements AdminStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  /** UPDATE only the given fields (sorted, so one cached statement per field set). */
  private patch(table: string, columns: Record<string, string>, id: string, patch: object, what: string): void {
    const fields = patchFields(columns, patch, `update ${what}`);
    if (fields.length === 0) return;
    const sets = fields.map((field) => `${columns[field]} = @${field}`).join(', ');
    const params: Record<string, unknown> = { pk: id };
    for (const field of fields) params[field] = (patch as Record<string, unknown>)[field];
    const result = guarded(() => this.q(`UPDATE ${table} SET ${sets} WHERE id = @pk`).run(params));
    if (result.changes === 0) throw new WardenError('not_found', `No such ${what}.`);
  }

  async insertAdmin(row: AdminRow): Promise<void> {
    guarded(() => this.q(`INSERT INTO admins (id, username, password_hash, role, disabled_at, totp_secret, totp_pending_secret, totp_last_step,
      failed_logins, locked_until, created_at, last_login_at) VALUES (@id, @username, @passwordHash, @role, @disabledAt, @totpSecret,
      @totpPendingSecret, @totpLastStep, @failedLogins, @lockedUntil, @createdAt, @lastLoginAt)`).run(row));
  }

  async getAdmin(id: string): Promise<AdminRow | undefined> {
    return this.q(`SELECT ${ADMIN_COLUMNS} FROM admins WHERE id = ?`).get(id) as AdminRow | undefined;
  }

  async getAdminByUsername(username: string): Promise<AdminRow | undefined> {
    return this.q(`SELECT ${ADMIN_COLUMNS} FROM admins WHERE username = ?`).get(username) as AdminRow | undefined;
  }

  async updateAdmin(id: string, patch: AdminPatch): Promise<void> {
    this.patch('admins', ADMIN_PATCH, id, patch, 'admin');
  }

  async listAdmins(): Promise<AdminRow[]> {
    return this.q(`SELECT ${ADMIN_COLUMNS} FROM admins ORDER BY created_at, rowid`).all() as AdminRow[];
  }

  async countEnabledOwners(): Promise<number> {
    return (this.q(`SELECT count(*) AS n FROM admins WHERE role = 'owner' AND disabled_at IS NULL`).get() as { n: number }).n;
  }

  async insertKey(row: AdminKeyRow): Promise<void> {
    checkSha256Hex(row.keyHash, 'keyHash');
    guarded(() => this.q(`INSERT INTO admin_keys (id, admin_id, name, key_hash, created_at, last_used_at, revoked_at, revoked_by)
      VALUES (@id, @adminId, @name, @keyHash, @createdAt, @lastUsedAt, @revokedAt, @revokedBy)`).run(row));
  }

  async getKey(id: string): Promise<AdminKeyRow | undefined> {
    return this.q(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE id = ?`).get(id) as AdminKeyRow | undefined;
  }

  async getKeyByHash(keyHash: string): Promise<AdminKeyRow | undefined> {
    return this.q(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE key_hash = ?`).get(keyHash) as AdminKeyRow | undefined;
  }

  async updateKey(id: string, patch: Partial<Pick<AdminKeyRow, 'lastUsedAt' | 'revokedAt' | 'revokedBy'>>): Promise<void> {
    this.patch('admin_keys', KEY_PATCH, id, patch, 'admin API key');
  }

  async listKeys(adminId: string | undefined, limit: number): Promise<AdminKeyRow[]> {
    checkLimit(limit);
    if (adminId === undefined) return this.q(`SELECT ${KEY_COLUMNS} FROM admin_keys ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(limit) as AdminKeyRow[];
    return this.q(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE admin_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`).all(adminId, limit) as AdminKeyRow[];
  }

  async revokeKeysOf(adminId: string, at: number, by: string): Promise<string[]> {
    const rows = this.q(`UPDATE admin_keys SET revoked_at = ?, revoked_by = ? WHERE admin_id = ? AND revoked_at IS NULL RETURNING id`).all(at, by, adminId) as { id: string }[];
    return rows.map((row) => row.id).sort();
  }

  async insertSession(row: AdminSessionRow): Promise<void> {
    checkSha256Hex(row.tokenHash, 'tokenHash');
    guarded(() => this.q(`INSERT INTO admin_sessions (id, token_hash, admin_id, actor, ip, user_agent, created_at, last_seen_at, idle_expires_at,
      absolute_expires_at, revoked_at, revoked_by, revoke_reason) VALUES (@id, @tokenHash, @adminId, @actor, @ip, @userAgent, @createdAt,
      @lastSeenAt, @idleExpiresAt, @absoluteExpiresAt, @revokedAt, @revokedBy, @revokeReason)`).run(row));
  }

  async getSession(id: string): Promise<AdminSessionRow | undefined> {
    return this.q(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE id = ?`).get(id) as AdminSessionRow | undefined;
  }

  async getSessionByTokenHash(tokenHash: string): Promise<AdminSessionRow | undefined> {
    return this.q(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE token_hash = ?`).get(tokenHash) as AdminSessionRow | undefined;
  }

  async updateSession(id: string, patch: AdminSessionPatch): Promise<void> {
    this.patch('admin_sessions', SESSION_PATCH, id, patch, 'admin session');
  }

  async listLiveSessions(adminId: string | null | undefined, now: number, limit: number): Promise<AdminSessionRow[]> {
    checkLimit(limit);
    const live = `revoked_at IS NULL AND idle_expires_at > @now AND absolute_expires_at > @now`;
    const order = `ORDER BY created_at DESC, rowid DESC LIMIT @limit`;
    if (adminId === undefined) return this.q(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE ${live} ${order}`).all({ now, limit }) as AdminSessionRow[];
    if (adminId === null) return this.q(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE admin_id IS NULL AND ${live} ${order}`).all({ now, limit }) as AdminSessionRow[];
    return this.q(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE admin_id = @adminId AND ${live} ${order}`).all({ adminId, now, limit }) as AdminSessionRow[];
  }

  async purgeSessions(before: number): Promise<number> {
    return guarded(() => this.q(`DELETE FROM admin_sessions WHERE coalesce(revoked_at, min(idle_expires_at, absolute_expires_at)) < ?`).run(before)).changes;
  }
}
