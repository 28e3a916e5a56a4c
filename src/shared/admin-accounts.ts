/**
 * Named admins, their API keys and their console sessions, as the admin API returns them (times in ms since
 * the epoch). The rules live in src/main/engine/admins*.ts; docs/admins.md explains them.
 */
import { z } from 'zod';

const millis = z.number().int().nonnegative();
const nullableMillis = millis.nullable();

/** The roles, weakest first (kept in step with admin-api.ts's ADMIN_ROLES, which this file cannot import). */
const role = z.enum(['viewer', 'operator', 'owner']);

export const adminSchema = z.object({
  id: z.string(),
  username: z.string(),
  role,
  /** Disabled admins cannot sign in; their sessions and keys ended when they were disabled. */
  disabled: z.boolean(),
  totpEnabled: z.boolean(),
  createdAt: millis,
  lastLoginAt: nullableMillis,
  /** Failed sign-ins since the last success (reset when the account locks). */
  failedLogins: z.number().int(),
  lockedUntil: nullableMillis,
});
export type AdminInfo = z.infer<typeof adminSchema>;

export const adminKeySchema = z.object({
  keyId: z.string(),
  adminId: z.string(),
  username: z.string(),
  name: z.string(),
  createdAt: millis,
  /** Updated when the key is used (at most every 10 seconds: see docs/admins.md). */
  lastUsedAt: nullableMillis,
  revokedAt: nullableMillis,
  revokedBy: z.string().nullable(),
});
export type AdminKeyInfo = z.infer<typeof adminKeySchema>;

export const adminSessionSchema = z.object({
  id: z.string(),
  /** Null for a session opened with the one-time link (the bootstrap owner). */
  adminId: z.string().nullable(),
  actor: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  createdAt: millis,
  lastSeenAt: millis,
  idleExpiresAt: millis,
  absoluteExpiresAt: millis,
  /** The caller's own session. */
  current: z.boolean(),
});
export type AdminSessionInfo = z.infer<typeof adminSessionSchema>;

/** Who is calling (`getSignedInAdmin`, and the base of `GET /admin/me`). */
export const signedInAdminSchema = z.object({
  /** The named admin; null for the bootstrap secret, the one-time link and the desktop app. */
  admin: z.object({ id: z.string(), username: z.string(), role, totpEnabled: z.boolean() }).nullable(),
  /** As audited: `admin:<username>`, `admin:bootstrap` or `admin:desktop`. */
  actor: z.string(),
  role,
  /** The owners require TOTP and this admin has none yet: only enrollment (and password change) is allowed. */
  totpEnrollmentRequired: z.boolean(),
});
export type SignedInAdmin = z.infer<typeof signedInAdminSchema>;

/**
 * `GET /admin/me`, and the answer of `POST /admin/login` and `POST /admin/session`. `csrfToken` goes in the
 * `X-CSRF-Token` header of every POST made with the session cookie; null (and the expiries null) when the
 * caller authenticated with `Authorization: Bearer` instead of the cookie.
 */
export const adminMeSchema = signedInAdminSchema.extend({
  csrfToken: z.string().nullable(),
  idleExpiresAt: nullableMillis,
  absoluteExpiresAt: nullableMillis,
});
export type AdminMe = z.infer<typeof adminMeSchema>;

export const adminTotpEnrollmentSchema = z.object({
  /** Base32 (RFC 4648, no padding), for typing into an authenticator by hand. */
  secret: z.string(),
  /** `otpauth://totp/…` for the QR code. */
  otpauthUri: z.string(),
});
