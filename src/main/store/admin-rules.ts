/**
 * What the SQLite and PostgreSQL `AdminStore`s share (./sqlite-admin-store.ts, ./pg/pg-admin-store.ts): which
 * fields of an admin, an API key and a console session an update may set, and their columns (the same in both
 * schemas). The checks themselves are ./store-arguments.ts.
 */
import type { AdminKeyRow, AdminPatch, AdminSessionPatch } from './admin-store';

export const ADMIN_PATCH: Record<keyof AdminPatch, string> = {
  passwordHash: 'password_hash', role: 'role', disabledAt: 'disabled_at', totpSecret: 'totp_secret', totpPendingSecret: 'totp_pending_secret',
  totpLastStep: 'totp_last_step', failedLogins: 'failed_logins', lockedUntil: 'locked_until', lastLoginAt: 'last_login_at',
};
export const KEY_PATCH: Record<keyof Pick<AdminKeyRow, 'lastUsedAt' | 'revokedAt' | 'revokedBy'>, string> = {
  lastUsedAt: 'last_used_at', revokedAt: 'revoked_at', revokedBy: 'revoked_by',
};
export const SESSION_PATCH: Record<keyof AdminSessionPatch, string> = {
  lastSeenAt: 'last_seen_at', idleExpiresAt: 'idle_expires_at', revokedAt: 'revoked_at', revokedBy: 'revoked_by', revokeReason: 'revoke_reason',
};
