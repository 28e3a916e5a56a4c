/** `AdminStore` on PostgreSQL (tables in ./sub-store-schema.ts); the semantics of ../sqlite-admin-store.ts. */
import { WardenError } from '../../../shared/errors';
import { ADMIN_PATCH, KEY_PATCH, SESSION_PATCH } from '../admin-rules';
import type { AdminKeyRow, AdminPatch, AdminRow, AdminSessionPatch, AdminSessionRow, AdminStore } from '../admin-store';
import { checkLimit, checkSha256Hex } from '../store-arguments';
import type { SqlValue } from './db';
import { columns, patchSql, type SqlRunner } from './sub-store-sql';

const ADMIN = {
  id: 'id', username: 'username', passwordHash: 'password_hash', role: 'role', disabledAt: 'disabled_at', totpSecret: 'totp_secret',
  totpPendingSecret: 'totp_pending_secret', totpLastStep: 'totp_last_step', failedLogins: 'failed_logins', lockedUntil: 'locked_until',
  createdAt: 'created_at', lastLoginAt: 'last_login_at',
};
const KEY = {
  id: 'id', adminId: 'admin_id', name: 'name', keyHash: 'key_hash', createdAt: 'created_at', lastUsedAt: 'last_used_at',
  revokedAt: 'revoked_at', revokedBy: 'revoked_by',
};
const SESSION = {
  id: 'id', tokenHash: 'token_hash', adminId: 'admin_id', actor: 'actor', ip: 'ip', userAgent: 'user_agent', createdAt: 'created_at',
  lastSeenAt: 'last_seen_at', idleExpiresAt: 'idle_expires_at', absoluteExpiresAt: 'absolute_expires_at', revokedAt: 'revoked_at',
  revokedBy: 'revoked_by', revokeReason: 'revoke_reason',
};
const ADMIN_COLUMNS = columns(ADMIN);
const KEY_COLUMNS = columns(KEY);
const SESSION_COLUMNS = columns(SESSION);

/** Values in the order of a column map's keys. */
const valuesOf = (map: Record<string, string>, row: object) => Object.keys(map).map((key) => (row as Record<string, SqlValue>)[key]);
const placeholders = (n: number) => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ');

export class PgAdminStore implements AdminStore {
  constructor(private readonly db: SqlRunner) {}

  private async patch(table: string, allowed: Record<string, string>, id: string, patch: object, what: string): Promise<void> {
    const update = patchSql(allowed, patch, what, 2);
    if (!update) return;
    const changed = await this.db.run(`UPDATE ${table} SET ${update.sets} WHERE id = $1`, [id, ...update.values]);
    if (changed === 0) throw new WardenError('not_found', `No such ${what}.`);
  }

  private async one<R>(sql: string, params: SqlValue[]): Promise<R | undefined> {
    return (await this.db.rows<R>(sql, params))[0];
  }

  async insertAdmin(row: AdminRow): Promise<void> {
    await this.db.run(`INSERT INTO admins (${Object.values(ADMIN).join(', ')}) VALUES (${placeholders(12)})`, valuesOf(ADMIN, row));
  }

  getAdmin(id: string): Promise<AdminRow | undefined> {
    return this.one(`SELECT ${ADMIN_COLUMNS} FROM admins WHERE id = $1`, [id]);
  }

  getAdminByUsername(username: string): Promise<AdminRow | undefined> {
    return this.one(`SELECT ${ADMIN_COLUMNS} FROM admins WHERE lower(username) = lower($1)`, [username]);
  }

  updateAdmin(id: string, patch: AdminPatch): Promise<void> {
    return this.patch('admins', ADMIN_PATCH, id, patch, 'admin');
  }

  listAdmins(): Promise<AdminRow[]> {
    return this.db.rows(`SELECT ${ADMIN_COLUMNS} FROM admins ORDER BY created_at, ord`);
  }

  async countEnabledOwners(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(`SELECT count(*)::int AS n FROM admins WHERE role = 'owner' AND disabled_at IS NULL`);
    return row!.n;
  }

  async insertKey(row: AdminKeyRow): Promise<void> {
    checkSha256Hex(row.keyHash, 'keyHash');
    await this.db.run(`INSERT INTO admin_keys (${Object.values(KEY).join(', ')}) VALUES (${placeholders(8)})`, valuesOf(KEY, row));
  }

  getKey(id: string): Promise<AdminKeyRow | undefined> {
    return this.one(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE id = $1`, [id]);
  }

  getKeyByHash(keyHash: string): Promise<AdminKeyRow | undefined> {
    return this.one(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE key_hash = $1`, [keyHash]);
  }

  updateKey(id: string, patch: Partial<Pick<AdminKeyRow, 'lastUsedAt' | 'revokedAt' | 'revokedBy'>>): Promise<void> {
    return this.patch('admin_keys', KEY_PATCH, id, patch, 'admin API key');
  }

  async listKeys(adminId: string | undefined, limit: number): Promise<AdminKeyRow[]> {
    checkLimit(limit);
    if (adminId === undefined) return this.db.rows(`SELECT ${KEY_COLUMNS} FROM admin_keys ORDER BY created_at DESC, ord DESC LIMIT $1`, [limit]);
    return this.db.rows(`SELECT ${KEY_COLUMNS} FROM admin_keys WHERE admin_id = $1 ORDER BY created_at DESC, ord DESC LIMIT $2`, [adminId, limit]);
  }

  async revokeKeysOf(adminId: string, at: number, by: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      'UPDATE admin_keys SET revoked_at = $1, revoked_by = $2 WHERE admin_id = $3 AND revoked_at IS NULL RETURNING id', [at, by, adminId]);
    return rows.map((row) => row.id).sort();
  }

  async insertSession(row: AdminSessionRow): Promise<void> {
    checkSha256Hex(row.tokenHash, 'tokenHash');
    await this.db.run(`INSERT INTO admin_sessions (${Object.values(SESSION).join(', ')}) VALUES (${placeholders(13)})`, valuesOf(SESSION, row));
  }

  getSession(id: string): Promise<AdminSessionRow | undefined> {
    return this.one(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE id = $1`, [id]);
  }

  getSessionByTokenHash(tokenHash: string): Promise<AdminSessionRow | undefined> {
    return this.one(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE token_hash = $1`, [tokenHash]);
  }

  updateSession(id: string, patch: AdminSessionPatch): Promise<void> {
    return this.patch('admin_sessions', SESSION_PATCH, id, patch, 'admin session');
  }

  async listLiveSessions(adminId: string | null | undefined, now: number, limit: number): Promise<AdminSessionRow[]> {
    checkLimit(limit);
    const live = 'revoked_at IS NULL AND idle_expires_at > $1 AND absolute_expires_at > $1';
    const order = 'ORDER BY created_at DESC, ord DESC LIMIT $2';
    if (adminId === undefined) return this.db.rows(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE ${live} ${order}`, [now, limit]);
    if (adminId === null) return this.db.rows(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE admin_id IS NULL AND ${live} ${order}`, [now, limit]);
    return this.db.rows(`SELECT ${SESSION_COLUMNS} FROM admin_sessions WHERE admin_id = $3 AND ${live} ${order}`, [now, limit, adminId]);
  }

  purgeSessions(before: number): Promise<number> {
    return this.db.run('DELETE FROM admin_sessions WHERE coalesce(revoked_at, least(idle_expires_at, absolute_expires_at)) < $1', [before]);
  }
}
