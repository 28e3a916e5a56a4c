/**
 * PgStore's column lists: each row type's fields mapped to its columns once, so SELECT lists (`column AS
 * "field"`, quoted: PostgreSQL folds unquoted names to lower case), INSERT lists and UPDATE patches are all made
 * from the same map. Also used by the sub-stores that read core rows (e.g. `SESSION_COLUMNS` for session search).
 */
import { WardenError } from '../../../shared/errors';
import type { AccessTokenRow, ClientRow, KeyRow, RefreshTokenRow, RevocationRow, SessionRow, UserRow } from '../store';
import type { AuditEntry } from '../../../shared/dto';
import type { Db, SqlValue } from './db';

type Columns<T> = { readonly [K in keyof T]-?: string };

export const USER_COLUMNS: Columns<UserRow> = {
  id: 'id', username: 'username', passwordHash: 'password_hash', status: 'status', createdAt: 'created_at',
  refreshVersion: 'refresh_version', notBefore: 'not_before', blockedAt: 'blocked_at', blockedReason: 'blocked_reason',
  failedLogins: 'failed_logins', lockedUntil: 'locked_until', lastLoginAt: 'last_login_at',
};
export const CLIENT_COLUMNS: Columns<ClientRow> = {
  clientId: 'client_id', kind: 'kind', name: 'name', secretHash: 'secret_hash', createdAt: 'created_at',
  redirectUris: 'redirect_uris', postLogoutRedirectUris: 'post_logout_redirect_uris',
  backchannelLogoutUri: 'backchannel_logout_uri', grantTypes: 'grant_types',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg', updatedAt: 'updated_at', disabledAt: 'disabled_at',
  disabledReason: 'disabled_reason', deletedAt: 'deleted_at', previousSecretHash: 'previous_secret_hash',
  previousSecretExpiresAt: 'previous_secret_expires_at', accessTokenTtlSeconds: 'access_token_ttl_seconds',
  refreshIdleSeconds: 'refresh_idle_seconds', refreshAbsoluteSeconds: 'refresh_absolute_seconds',
};
export const SESSION_COLUMNS: Columns<SessionRow> = {
  id: 'id', userId: 'user_id', clientId: 'client_id', deviceName: 'device_name', userAgent: 'user_agent', ip: 'ip',
  rememberMe: 'remember_me', scope: 'scope', createdAt: 'created_at', lastActivityAt: 'last_activity_at',
  idleExpiresAt: 'idle_expires_at', absoluteExpiresAt: 'absolute_expires_at', revokedAt: 'revoked_at',
  revokedBy: 'revoked_by', revokeReason: 'revoke_reason', refreshCount: 'refresh_count',
  browserSessionId: 'browser_session_id', refreshEndedAt: 'refresh_ended_at',
};
export const REFRESH_COLUMNS: Columns<RefreshTokenRow> = {
  hash: 'hash', sessionId: 'session_id', userId: 'user_id', clientId: 'client_id', refreshVersion: 'refresh_version',
  createdAt: 'created_at', usedAt: 'used_at', successorHash: 'successor_hash', revokedAt: 'revoked_at',
  usedIp: 'used_ip', usedUserAgent: 'used_user_agent',
};
export const ACCESS_COLUMNS: Columns<AccessTokenRow> = {
  jti: 'jti', sessionId: 'session_id', userId: 'user_id', clientId: 'client_id', kid: 'kid', issuedAt: 'issued_at',
  expiresAt: 'expires_at',
};
export const REVOCATION_COLUMNS: Columns<RevocationRow> = {
  id: 'id', kind: 'kind', subject: 'subject', userId: 'user_id', notBefore: 'not_before', expiresAt: 'expires_at',
  createdAt: 'created_at', actor: 'actor', reason: 'reason',
};
export const KEY_COLUMNS: Columns<KeyRow> = {
  kid: 'kid', alg: 'alg', publicJwk: 'public_jwk', status: 'status', createdAt: 'created_at',
  retiringSince: 'retiring_since', retiresAt: 'retires_at', revokedAt: 'revoked_at',
};
export const AUDIT_COLUMNS: Columns<AuditEntry> = {
  seq: 'seq', at: 'at', type: 'type', actor: 'actor', userId: 'user_id', sessionId: 'session_id', reason: 'reason',
  data: 'data', prevHash: 'prev_hash', hash: 'hash',
};

/**
 * `column AS "field", …` for a SELECT. With `alias`, columns are read from that table alias and fields are
 * named `alias.field` (a join of tables whose fields share names; see `splitRow`).
 */
export function selectList(columns: Record<string, string>, alias?: string): string {
  return Object.entries(columns)
    .map(([field, column]) => (alias ? `${alias}.${column} AS "${alias}.${field}"` : column === field ? column : `${column} AS "${field}"`))
    .join(', ');
}

/** The `alias.`-prefixed fields of a joined row, as a row of their own. */
export function splitRow<T>(row: Record<string, unknown>, alias: string, columns: Record<string, string>): T {
  const record: Record<string, unknown> = {};
  for (const field of Object.keys(columns)) record[field] = row[`${alias}.${field}`];
  return record as T;
}

/** Patch builders' cache: one SQL text per (table, sorted field set), so each is prepared once per connection. */
const patchSql = new Map<string, string>();

/**
 * UPDATE only the given fields of one row (`undefined` fields are left out); `not_found` when no row has that key.
 * `allowed` maps each patchable field to its column; anything else in a patch is caller misuse (TypeError).
 */
export async function patchRow(db: Db, table: string, key: string, allowed: Record<string, string>, method: string,
  id: string, patch: object): Promise<void> {
  const fields: string[] = [];
  const values: SqlValue[] = [id];
  for (const [field, value] of Object.entries(patch).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === undefined) continue;
    if (allowed[field] === undefined) throw new TypeError(`${method}: "${field}" cannot be updated`);
    fields.push(field);
    values.push(value as SqlValue);
  }
  if (fields.length === 0) return;
  const shape = `${table}|${fields.join(',')}`;
  let sql = patchSql.get(shape);
  if (sql === undefined) {
    sql = `UPDATE ${table} SET ${fields.map((field, i) => `${allowed[field]} = $${i + 2}`).join(', ')} WHERE ${key} = $1`;
    patchSql.set(shape, sql);
  }
  if ((await db.run(sql, values)) === 0) throw new WardenError('not_found', `${method}: no such record.`);
}

/** `LIKE` treats % and _ as wildcards; a search text is literal, so escape them (and the escape char). */
export function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assertHash(value: string, what: string): void {
  // The interface only ever carries SHA-256 hex; anything else would be a raw token leaking into storage.
  if (!SHA256_HEX.test(value)) throw new TypeError(`${what} must be a lowercase hex SHA-256`);
}

export function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a non-negative integer`);
}
