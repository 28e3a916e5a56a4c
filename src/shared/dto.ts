/**
 * Data shapes that cross the admin API (HTTP and IPC). Declared once as zod schemas; TypeScript types are
 * inferred from them. Times are milliseconds since the epoch unless a name ends in `Seconds`.
 */
import { z } from 'zod';
import { VERDICT_REASONS } from './verdict';

const millis = z.number().int().nonnegative();
const nullableMillis = millis.nullable();

export const userStatusSchema = z.enum(['active', 'blocked']);
export type UserStatus = z.infer<typeof userStatusSchema>;
/**
 * What the console shows and filters by: `locked` is a user who is not blocked but whose failed logins lock
 * them out until `lockedUntil`; a blocked user reads `blocked` whatever their lock.
 */
export const userListStatusSchema = z.enum(['active', 'locked', 'blocked']);
export type UserListStatus = z.infer<typeof userListStatusSchema>;
export const userSortSchema = z.enum(['username', 'createdAt', 'lastLoginAt', 'status']);
export type UserSort = z.infer<typeof userSortSchema>;

export const userSummarySchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string().nullable(),
  email: z.string().nullable(),
  status: userListStatusSchema,
  /** When a lock ends (status `locked`); null when not locked now. */
  lockedUntil: nullableMillis,
  createdAt: millis,
  refreshVersion: z.number().int(),
  notBefore: nullableMillis,
  activeSessions: z.number().int(),
  lastLoginAt: nullableMillis,
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const userDetailSchema = userSummarySchema.extend({
  blockedAt: nullableMillis,
  blockedReason: z.string().nullable(),
  /** Wrong passwords since the last success or unlock; kept while locked (the count that locked them). */
  failedLogins: z.number().int(),
  /** Free attributes an admin set (names and values are text). */
  attributes: z.record(z.string(), z.string()),
});
export type UserDetail = z.infer<typeof userDetailSchema>;

/**
 * One word per session, the four never overlap: `revoked` (ended by someone) · `expired` (past its idle or
 * absolute expiry) · `cant_refresh` (open, but its refresh family was ended without the session: a
 * refresh-version bump; its access tokens live to exp, no refresh can extend it) · `active` (open, refreshable).
 * `cant_refresh` and `active` are both open: they can still be revoked (see `sessionIsOpen`).
 */
export const sessionStatusSchema = z.enum(['active', 'cant_refresh', 'revoked', 'expired']);
export type SessionStatus = z.infer<typeof sessionStatusSchema>;
/** Not revoked and not expired: its access tokens may still be live, so revoking it still does something. */
export const sessionIsOpen = (status: SessionStatus): boolean => status === 'active' || status === 'cant_refresh';
/** Why a session cannot be refreshed (`canRefresh: false`); null when it can. */
export const cantRefreshReasonSchema = z.enum(['revoked', 'expired', 'refresh_version_bumped']);
export type CantRefreshReason = z.infer<typeof cantRefreshReasonSchema>;

export const sessionSchema = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  clientId: z.string(),
  deviceName: z.string(),
  userAgent: z.string(),
  ip: z.string(),
  rememberMe: z.boolean(),
  createdAt: millis,
  lastActivityAt: millis,
  idleExpiresAt: millis,
  absoluteExpiresAt: millis,
  status: sessionStatusSchema,
  /** Whether a refresh can still extend it: only an `active` session's can. */
  canRefresh: z.boolean(),
  /** Why not, when `canRefresh` is false. */
  cantRefreshReason: cantRefreshReasonSchema.nullable(),
  /** When a refresh-version bump ended its refresh family (the session stayed open); null otherwise. */
  refreshEndedAt: nullableMillis,
  revokedAt: nullableMillis,
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  refreshCount: z.number().int(),
  /** The provider browser session (hosted sign-in page) this sign-in came from; null for the password grant. */
  browserSessionId: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionSchema>;

export const accessTokenStatusSchema = z.enum(['live', 'expired', 'revoked']);
export const accessTokenRecordSchema = z.object({
  jti: z.string(),
  sessionId: z.string(),
  userId: z.string(),
  clientId: z.string(),
  kid: z.string(),
  issuedAt: millis,
  expiresAt: millis,
  status: accessTokenStatusSchema,
  /** Why it is no longer active, when status is `revoked`. */
  reason: z.enum(VERDICT_REASONS).nullable(),
});
export type AccessTokenRecord = z.infer<typeof accessTokenRecordSchema>;

export const refreshTokenStatusSchema = z.enum(['current', 'rotated', 'reused', 'revoked', 'expired']);
export const refreshTokenRecordSchema = z.object({
  /** A short, non-secret label: the first 12 hex characters of the token's SHA-256. */
  id: z.string(),
  sessionId: z.string(),
  createdAt: millis,
  usedAt: nullableMillis,
  /** The address and user agent that presented it for rotation; null if unused (or rotated before this was kept). */
  usedBy: z.object({ ip: z.string(), userAgent: z.string() }).nullable(),
  successorId: z.string().nullable(),
  refreshVersion: z.number().int(),
  status: refreshTokenStatusSchema,
});
export type RefreshTokenRecord = z.infer<typeof refreshTokenRecordSchema>;

export const auditEntrySchema = z.object({
  seq: z.number().int(),
  at: millis,
  type: z.string(),
  actor: z.string(),
  userId: z.string().nullable(),
  sessionId: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const timelineEntrySchema = auditEntrySchema.extend({
  seq: z.number().int().nullable(),
  prevHash: z.string().nullable(),
  hash: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const sessionTokensSchema = z.object({
  session: sessionSchema,
  accessTokens: z.array(accessTokenRecordSchema),
  refreshChain: z.array(refreshTokenRecordSchema),
  /**
   * The session's lifecycle, oldest first: login, rotations, tokens minted, reuse, revocation. Audit entries,
   * plus the routine rotations that were not audited (see the `auditRefreshes` setting), read back from the
   * refresh chain: those have `seq`, `prevHash` and `hash` null.
   */
  timeline: z.array(timelineEntrySchema),
});
export type SessionTokens = z.infer<typeof sessionTokensSchema>;

/** next: published in the JWKS, not signing yet · active: signs · retiring: verifies only · retired · revoked. */
export const keyStatusSchema = z.enum(['next', 'active', 'retiring', 'retired', 'revoked']);
export type KeyStatus = z.infer<typeof keyStatusSchema>;
export const signingAlgSchema = z.enum(['EdDSA', 'ES256', 'RS256']);
export type SigningAlg = z.infer<typeof signingAlgSchema>;

export const keyInfoSchema = z.object({
  kid: z.string(),
  alg: signingAlgSchema,
  status: keyStatusSchema,
  createdAt: millis,
  /** When it stopped signing (rotation) — verification continues until `retiresAt`. */
  retiringSince: nullableMillis,
  retiresAt: nullableMillis,
  revokedAt: nullableMillis,
  /** Access tokens signed by this key that have not expired and are not revoked. */
  liveTokens: z.number().int(),
  /**
   * What it signs now: the active key of the `signingAlg` setting's algorithm signs access tokens (and feed
   * events), the active key of an algorithm clients' ID tokens use signs those (and logout tokens); others none.
   */
  signs: z.array(z.enum(['access_tokens', 'id_tokens'])),
});
export type KeyInfo = z.infer<typeof keyInfoSchema>;
export type KeyUse = KeyInfo['signs'][number];

export const clientKindSchema = z.enum(['public', 'confidential']);
export type ClientKind = z.infer<typeof clientKindSchema>;
/** The grants a client may use (RFC 7591 `grant_types`); `password` only for first-party public clients. */
export const grantTypeSchema = z.enum(['authorization_code', 'refresh_token', 'password']);
export type GrantType = z.infer<typeof grantTypeSchema>;
export const clientInfoSchema = z.object({
  clientId: z.string(),
  kind: clientKindSchema,
  name: z.string(),
  createdAt: millis,
  /** Exact redirect URIs for the authorization endpoint. */
  redirectUris: z.array(z.string()),
  /** Exact URIs RP-initiated logout may return to. */
  postLogoutRedirectUris: z.array(z.string()),
  /** Where back-channel logout tokens are POSTed; null: the client takes none. */
  backchannelLogoutUri: z.string().nullable(),
  grantTypes: z.array(grantTypeSchema),
  idTokenSignedResponseAlg: signingAlgSchema,
  /** When the registration last changed (updateClient); null: never. */
  updatedAt: nullableMillis,
  /** Disabled since (setClientDisabled), with the reason given; null: enabled. */
  disabledAt: nullableMillis,
  disabledReason: z.string().nullable(),
  /** After rotateClientSecret with an overlap: when the previous secret stops being accepted. */
  previousSecretExpiresAt: nullableMillis,
  /** The client's own lifetimes in seconds; null: the install setting. */
  accessTokenTtlSeconds: z.number().int().nullable(),
  refreshIdleSeconds: z.number().int().nullable(),
  refreshAbsoluteSeconds: z.number().int().nullable(),
});
export type ClientInfo = z.infer<typeof clientInfoSchema>;

export const sessionLimitPolicySchema = z.enum(['revoke_oldest', 'reject']);
const seconds = z.number().int().positive().max(10 * 365 * 24 * 3600);
export const settingsSchema = z.object({
  accessTokenTtlSeconds: seconds,
  idleSeconds: seconds,
  absoluteSeconds: seconds,
  rememberMeIdleSeconds: seconds,
  rememberMeAbsoluteSeconds: seconds,
  /** 0 means no limit. */
  sessionLimit: z.number().int().min(0).max(10_000),
  sessionLimitPolicy: sessionLimitPolicySchema,
  /** 0 turns the reuse grace window off (the default). */
  reuseGraceSeconds: z.number().int().min(0).max(300),
  clockSkewSeconds: z.number().int().min(0).max(300),
  maxFailedLogins: z.number().int().min(1).max(1000),
  loginLockSeconds: z.number().int().min(1).max(24 * 3600),
  /** The `aud` of every access token; resource servers check it. */
  audience: z.string().min(1).max(200),
  signingAlg: signingAlgSchema,
  /**
   * Append every routine refresh (a rotation as designed) to the audit chain. Off by default: the refresh
   * chain already records each rotation, and an audit entry per refresh roughly doubles what a refresh writes.
   */
  auditRefreshes: z.boolean(),
  /** Named admins must have TOTP: one without it is asked to enroll at sign-in (docs/admins.md). */
  adminTotpRequired: z.boolean(),
  /** An admin console session ends after this long without a request, and this long after sign-in. */
  adminIdleSeconds: seconds,
  adminAbsoluteSeconds: seconds,
});
export type Settings = z.infer<typeof settingsSchema>;

export const statsSchema = z.object({
  users: z.number().int(),
  activeSessions: z.number().int(),
  tokensIssued: z.number().int(),
  refreshes: z.number().int(),
  revocations: z.number().int(),
  reuseAlerts: z.number().int(),
  /** The last 60 minutes, oldest first. `minute` is the start of the minute in ms. */
  perMinute: z.array(z.object({ minute: millis, issued: z.number().int(), refreshed: z.number().int(), revoked: z.number().int() })),
});
export type Stats = z.infer<typeof statsSchema>;

/**
 * What an action would do, before it does it. `sessionsFate` and `accessTokensFate` say what happens to the
 * sessions and tokens counted, so a preview never contradicts its action: a refresh-version bump ends no
 * session and revokes no access token (`cant_refresh`, `live_to_exp`); a key or one access token signs nobody
 * out (`stay_open`: their sessions lose those tokens and keep refreshing).
 */
export const blastRadiusSchema = z.object({
  /** The sessions reached (all of them, but a key's: its first 50; see sessionCount). */
  sessions: z.array(z.object({ id: z.string(), userId: z.string(), username: z.string(), deviceName: z.string(), clientId: z.string(), ip: z.string() })),
  /** How many sessions are reached; at most 1,000 is counted for a key (sessionCountCapped). */
  sessionCount: z.number().int(),
  sessionCountCapped: z.boolean(),
  /** revoked: the sessions end · cant_refresh: they stay open, never to be extended · stay_open: only tokens die. */
  sessionsFate: z.enum(['revoked', 'cant_refresh', 'stay_open']),
  liveAccessTokens: z.number().int(),
  /** revoked: refused on the feed at once · live_to_exp: not revoked, they work until they expire. */
  accessTokensFate: z.enum(['revoked', 'live_to_exp']),
  /** The latest `exp` among those live access tokens (ms), null when none: when the last of them stops working. */
  worstCaseExpiry: nullableMillis,
  /** Refresh families (= sessions) whose refresh token dies. */
  refreshFamilies: z.number().int(),
  devices: z.array(z.string()),
  clients: z.array(z.string()),
});
export type BlastRadius = z.infer<typeof blastRadiusSchema>;

export const receiptSchema = z.object({
  action: z.string(),
  at: millis,
  actor: z.string(),
  reason: z.string().nullable(),
  sessionsRevoked: z.array(z.string()),
  accessTokensRevoked: z.number().int(),
  refreshTokensRevoked: z.number().int(),
  /** Revocation-feed event id, when the action was published to resource servers. */
  feedEventId: z.number().int().nullable(),
});
export type Receipt = z.infer<typeof receiptSchema>;

export const feedReceiptsSchema = z.object({
  /** Which subscribed resource servers applied the feed event, and when (their clock and ours). */
  receipts: z.array(z.object({ clientId: z.string(), appliedAt: millis, receivedAt: millis })),
  /**
   * Resource servers connected to the revocation feed right now, on any instance: this instance's connections,
   * then one entry per client of each other instance as of its last heartbeat (docs/postgres.md, receipts).
   */
  subscribers: z.array(z.object({ clientId: z.string(), connectedAt: millis, lastEventId: z.number().int() })),
});
export type FeedReceipts = z.infer<typeof feedReceiptsSchema>;

export const inspectionSchema = z.object({
  kind: z.enum(['access_token', 'refresh_token', 'unknown']),
  header: z.record(z.string(), z.unknown()).nullable(),
  claims: z.record(z.string(), z.unknown()).nullable(),
  signatureValid: z.boolean().nullable(),
  active: z.boolean(),
  /** The decisive reason (the verdict's): the first check that failed. */
  reason: z.string().nullable(),
  reasonText: z.string().nullable(),
  /**
   * Every reason that holds, `reason` first: an expired access token of a revoked key is
   * `['revoked_kid', 'expired']`. Empty when active.
   */
  reasons: z.array(z.string()),
  expiresAt: nullableMillis,
  secondsToExpiry: z.number().int().nullable(),
  sessionId: z.string().nullable(),
  /** The status of that session now (a revoked session's token names it too); null when no session is known. */
  sessionStatus: sessionStatusSchema.nullable(),
  userId: z.string().nullable(),
  username: z.string().nullable(),
});
export type Inspection = z.infer<typeof inspectionSchema>;

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), total: z.number().int() });
