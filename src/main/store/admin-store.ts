/**
 * Named admins, their API keys and their console sessions (area A; rules in src/main/engine/admins*.ts).
 * Secrets are never stored as given: passwords as scrypt hashes, API keys and session cookies as SHA-256 hex.
 * The TOTP secret is stored as is (it must be, to check codes), like the signing keys' metadata: the data file
 * is the installation's own (see docs/security.md).
 */
import type { AdminRole } from '../../shared/admin-api';

export interface AdminRow {
  id: string;
  /** Unique regardless of case; never changes (it names the admin in the audit). */
  username: string;
  passwordHash: string;
  role: AdminRole;
  disabledAt: number | null;
  /** Base32 TOTP secret once enrollment is confirmed. */
  totpSecret: string | null;
  /** A secret handed out by beginAdminTotp and not yet confirmed. */
  totpPendingSecret: string | null;
  /** The last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
  totpLastStep: number | null;
  failedLogins: number;
  lockedUntil: number | null;
  createdAt: number;
  lastLoginAt: number | null;
}

export type AdminPatch = Partial<Omit<AdminRow, 'id' | 'username' | 'createdAt'>>;

export interface AdminKeyRow {
  id: string;
  adminId: string;
  name: string;
  /** SHA-256 hex of the key; the key itself is shown once and never stored. */
  keyHash: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

export interface AdminSessionRow {
  id: string;
  /** SHA-256 hex of the cookie value. */
  tokenHash: string;
  /** Null for a session opened with the one-time link (the bootstrap owner). */
  adminId: string | null;
  /** As audited: `admin:<username>` or `admin:bootstrap`. */
  actor: string;
  ip: string;
  userAgent: string;
  createdAt: number;
  lastSeenAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export type AdminSessionPatch = Partial<Pick<AdminSessionRow, 'lastSeenAt' | 'idleExpiresAt' | 'revokedAt' | 'revokedBy' | 'revokeReason'>>;

export interface AdminStore {
  insertAdmin(row: AdminRow): Promise<void>;
  getAdmin(id: string): Promise<AdminRow | undefined>;
  /** Case-insensitive. */
  getAdminByUsername(username: string): Promise<AdminRow | undefined>;
  /** Throws WardenError not_found when there is no such admin. */
  updateAdmin(id: string, patch: AdminPatch): Promise<void>;
  /** Oldest first. */
  listAdmins(): Promise<AdminRow[]>;
  /** Owners that are not disabled. */
  countEnabledOwners(): Promise<number>;

  insertKey(row: AdminKeyRow): Promise<void>;
  getKey(id: string): Promise<AdminKeyRow | undefined>;
  getKeyByHash(keyHash: string): Promise<AdminKeyRow | undefined>;
  updateKey(id: string, patch: Partial<Pick<AdminKeyRow, 'lastUsedAt' | 'revokedAt' | 'revokedBy'>>): Promise<void>;
  /** Newest first, revoked ones included, at most `limit`. */
  listKeys(adminId: string | undefined, limit: number): Promise<AdminKeyRow[]>;
  /** Revokes the admin's unrevoked keys; returns their ids. */
  revokeKeysOf(adminId: string, at: number, by: string): Promise<string[]>;

  insertSession(row: AdminSessionRow): Promise<void>;
  getSession(id: string): Promise<AdminSessionRow | undefined>;
  getSessionByTokenHash(tokenHash: string): Promise<AdminSessionRow | undefined>;
  updateSession(id: string, patch: AdminSessionPatch): Promise<void>;
  /** Not revoked, neither lifetime over at `now`; of one admin (null: the bootstrap's) or all; newest first. */
  listLiveSessions(adminId: string | null | undefined, now: number, limit: number): Promise<AdminSessionRow[]>;
  /** Deletes sessions that ended before `before` (revoked or expired): the audit keeps their record. */
  purgeSessions(before: number): Promise<number>;
}
