/**
 * The engine's storage boundary. The engine holds every rule; the store only keeps rows and answers
 * narrow questions quickly (every list pages on the server and uses an index). All times are ms since the
 * epoch. Implementations: `SqliteStore` (file or `:memory:`). One shared suite (test/integration/store.suite.ts)
 * runs against each.
 *
 * Asynchronous for every store (PostgreSQL cannot answer synchronously; docs/storage.md): every method
 * returns a promise, except `instanceId()` (read at open) and the sub-store properties.
 */
import type { AuditEntry, ClientKind, KeyStatus, SessionStatus, SigningAlg, UserStatus } from '../../shared/dto';
import type { BackchannelOutboxStore } from './backchannel-outbox-store';
import type { AuthorizationCodeStore } from './authorization-code-store';
import type { BrowserSessionStore } from './browser-session-store';
import type { SessionSearchStore } from './session-search-store';
import type { AdminStore } from './admin-store';
import type { ClientSessionStore } from './client-session-store';
import type { TokenReachStore } from './token-reach-store';
import type { AuditSearchStore } from './audit-search-store';
import type { UserDirectoryStore } from './user-directory-store';
import type { KeySecretStore } from './key-secret-store';
import type { CoordinationStore } from './coordination-store';
import type { AuditTailStore } from './audit-tail-store';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  status: UserStatus;
  createdAt: number;
  refreshVersion: number;
  /** Access tokens issued before this instant (ms) are rejected. */
  notBefore: number | null;
  blockedAt: number | null;
  blockedReason: string | null;
  failedLogins: number;
  lockedUntil: number | null;
  lastLoginAt: number | null;
}

/** The grants a client may use (RFC 7591 `grant_types`); `password` only for first-party public clients. */
export type { GrantType } from '../../shared/dto';
import type { GrantType } from '../../shared/dto';

export interface ClientRow {
  clientId: string;
  kind: ClientKind;
  name: string;
  /** SHA-256 hex of the secret (256 random bits), confidential clients only */
  secretHash: string | null;
  createdAt: number;
  /** Exact redirect URIs for the authorization endpoint (no wildcards). */
  redirectUris: string[];
  /** Exact URIs RP-initiated logout may return to. */
  postLogoutRedirectUris: string[];
  /** Where OpenID Connect back-channel logout tokens are POSTed; null: the client takes none. */
  backchannelLogoutUri: string | null;
  grantTypes: GrantType[];
  /** The alg of this client's ID tokens (OIDC registration `id_token_signed_response_alg`, default RS256). */
  idTokenSignedResponseAlg: SigningAlg;
  updatedAt: number | null;
  /** Disabled (setClientDisabled): refused everywhere until enabled again. */
  disabledAt: number | null;
  disabledReason: string | null;
  /** Deleted (deleteClient): a tombstone, so the id is never reused; treated as unknown everywhere. */
  deletedAt: number | null;
  /** The secret replaced by rotateClientSecret, accepted until previousSecretExpiresAt (SHA-256 hex). */
  previousSecretHash: string | null;
  previousSecretExpiresAt: number | null;
  /** Per-client lifetimes; null: the install setting. */
  accessTokenTtlSeconds: number | null;
  refreshIdleSeconds: number | null;
  refreshAbsoluteSeconds: number | null;
}

/** The fields schema 6 added (client administration): a row to insert may leave them out (none). */
export type ClientAdminFields = 'disabledAt' | 'disabledReason' | 'deletedAt' | 'previousSecretHash' | 'previousSecretExpiresAt'
  | 'accessTokenTtlSeconds' | 'refreshIdleSeconds' | 'refreshAbsoluteSeconds';
export type NewClientRow = Omit<ClientRow, ClientAdminFields> & Partial<Pick<ClientRow, ClientAdminFields>>;

export interface SessionRow {
  id: string;
  userId: string;
  clientId: string;
  deviceName: string;
  userAgent: string;
  ip: string;
  rememberMe: boolean;
  /** The scope granted at login; refreshes keep it. */
  scope: string;
  createdAt: number;
  lastActivityAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeReason: string | null;
  refreshCount: number;
  /** The provider browser session (hosted sign-in page) this sign-in came from; null for the password grant. */
  browserSessionId: string | null;
  /**
   * When the session's refresh family was ended while the session stayed open (a refresh-version bump): it can
   * never be extended again (status `cant_refresh` until it expires). Null: its refresh token still works.
   */
  refreshEndedAt: number | null;
}

export interface RefreshTokenRow {
  /** the token's key: its creation time, then its SHA-256, in hex (see refreshTokenKey); never the token itself */
  hash: string;
  sessionId: string;
  userId: string;
  clientId: string;
  refreshVersion: number;
  createdAt: number;
  usedAt: number | null;
  successorHash: string | null;
  /** Set when the family is revoked (reuse, admin action, version bump) */
  revokedAt: number | null;
  /** The address that presented the token when it was rotated (null until then, and for rows rotated before schema 2). */
  usedIp: string | null;
  /** The presenter's user agent, kept only when it differs from the session's (null: the session's own). */
  usedUserAgent: string | null;
}

/** Who presented a refresh token; `userAgent` null means the session's own (it rarely changes, and is long). */
export interface Presenter {
  ip: string;
  userAgent: string | null;
}

/** One refresh's writes (Store.rotateRefreshToken). */
export interface RefreshRotation {
  sessionId: string;
  session: Pick<SessionRow, 'lastActivityAt' | 'idleExpiresAt' | 'refreshCount'>;
  hash: string;
  usedAt: number;
  presenter?: Presenter;
  successor: RefreshTokenRow;
  access: AccessTokenRow;
}

/** A session Store.revokeSessions revoked, and how many live refresh tokens it revoked with it. */
export interface RevokedSession {
  sessionId: string;
  refreshTokens: number;
}

/** Live access tokens of one session (Store.tallyLiveAccessTokensOfUser). */
export interface LiveAccessTokenTally {
  sessionId: string;
  count: number;
  latestExpiresAt: number;
}

export interface AccessTokenRow {
  jti: string;
  sessionId: string;
  userId: string;
  clientId: string;
  kid: string;
  issuedAt: number;
  expiresAt: number;
}

export type RevocationKind = 'session' | 'user' | 'jti' | 'key';

/** One row per revocation: a monotonic `id` makes it the revocation feed's event log too. */
export interface RevocationRow {
  id: number;
  kind: RevocationKind;
  /** session id, user id, jti or kid */
  subject: string;
  userId: string | null;
  /** For `user`: the not-before instant (ms). */
  notBefore: number | null;
  /** For `jti`: the token's exp (ms); purged once exp + skew has passed. Null: kept forever. */
  expiresAt: number | null;
  createdAt: number;
  actor: string;
  reason: string | null;
}

export interface KeyRow {
  kid: string;
  alg: SigningAlg;
  /** The public JWK as JSON. The private part lives only in the key vault. */
  publicJwk: string;
  status: KeyStatus;
  createdAt: number;
  retiringSince: number | null;
  retiresAt: number | null;
  revokedAt: number | null;
}

export interface AuditInsert {
  at: number;
  type: string;
  actor: string;
  userId: string | null;
  sessionId: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}

export interface AuditFilter {
  type?: string;
  actor?: string;
  userId?: string;
  sessionId?: string;
  since?: number;
  until?: number;
  beforeSeq?: number;
  limit: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export type CounterName = 'tokens_issued' | 'refreshes' | 'revocations' | 'reuse_alerts';

export interface MinuteBucket {
  minute: number;
  issued: number;
  refreshed: number;
  revoked: number;
}

export interface TransactionOptions {
  /** Commit with synchronous=FULL (see `Store.transaction`). Default false. */
  durable?: boolean;
}

/** What another instance may have changed: a cache of it must be re-read. */
export type ChangeTopic = 'revocations' | 'audit' | 'settings' | 'keys' | 'clients' | 'outbox';

/** Deployment signals between the instances on one database (area H2; PostgreSQL: ./pg/pg-changes.ts). */
export interface StoreChanges {
  /** True when other instances may write the same database (PostgreSQL); false for SQLite (one process). */
  readonly shared: boolean;
  /**
   * Inside a transaction: once it COMMITS, every instance's subscribers (this one's included) hear `topic`;
   * nothing if it rolls back (PostgreSQL NOTIFY is transactional). Outside a transaction: at once.
   * SQLite: a no-op (its process already knows).
   */
  announce(topic: ChangeTopic): Promise<void>;
  /**
   * Hears every topic any instance announced, after its commit. 'resync' means the listening connection was
   * lost and is back: changes may have been missed, so every cache re-reads everything.
   */
  subscribe(listener: (topic: ChangeTopic | 'resync') => void): () => void;
}

export interface Store {
  /** Signals between the instances sharing this database (see StoreChanges). */
  readonly changes: StoreChanges;
  /** The audit chain's locked head and its entries after a seq, for several writers (./audit-tail-store.ts). */
  readonly auditTail: AuditTailStore;
  /** The back-channel logout outbox (./backchannel-outbox-store.ts): its own aggregate, on the same transactions. */
  readonly backchannelOutbox: BackchannelOutboxStore;
  /**
   * Runs `fn` in one write transaction. Nested calls join the outer one, each in its own savepoint: a
   * nested call that throws undoes only its own writes; a throw reaching the outermost call undoes all.
   * A `durable` transaction is on disk when this returns (SQLite synchronous=FULL: the log is fsynced at its
   * commit); a routine one (the default, synchronous=NORMAL) may be lost to a power cut until the next
   * checkpoint, never half applied. A durable call nested in a routine one is caller misuse (TypeError).
   *
   * "Inside" is the asynchronous context of `fn` (AsyncLocalStorage): every call `fn` makes, across its
   * awaits, belongs to the transaction. Isolation rule: a call made outside it never sees its uncommitted
   * writes (SQLite, one connection: such calls wait until it ends; PostgreSQL: another pooled connection).
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Ends the store once the open transaction (if any) has ended. */
  close(): Promise<void>;
  /** Readiness: resolves once the database answers a trivial query, rejects (storage_error) when it cannot. */
  ping(): Promise<void>;
  /** A stable random id for this data directory (keychain accounts are namespaced by it). */
  instanceId(): string;
  /** Provider browser sessions (the hosted sign-in page's cookie sessions). */
  readonly browserSessions: BrowserSessionStore;
  readonly auditSearch: AuditSearchStore;
  /** Authorization codes and the record of the sign-ins they completed. */
  readonly authorizationCodes: AuthorizationCodeStore;
  /** Named admins, their API keys and console sessions (./admin-store.ts). */
  readonly admins: AdminStore;
  /** A client's live sessions (disable, delete, its page). */
  readonly clientSessions: ClientSessionStore;
  /** Which sessions a key's live access tokens are on (the blast radius of a key revocation). */
  readonly tokenReach: TokenReachStore;
  /** The Sessions view across all users (area C). */
  readonly sessionSearch: SessionSearchStore;
  /** The users page: profiles, search and sorted listing, deletion (area D, ./user-directory-store.ts). */
  readonly userDirectory: UserDirectoryStore;
  /** Sealed private keys and master-key check records for `--key-store database` (area D, ./key-secret-store.ts). */
  readonly keySecrets: KeySecretStore;
  /** Locks, periodic jobs and attempt leases across the instances on one database (./coordination-store.ts). */
  readonly coordination: CoordinationStore;

  // users
  insertUser(row: UserRow): Promise<void>;
  getUser(id: string): Promise<UserRow | undefined>;
  getUserByUsername(username: string): Promise<UserRow | undefined>;
  updateUser(id: string, patch: Partial<Omit<UserRow, 'id' | 'username' | 'createdAt'>>): Promise<void>;
  /** Case-insensitive prefix search on username, newest first. */
  listUsers(query: { search?: string; status?: UserStatus; offset: number; limit: number }): Promise<Page<UserRow>>;
  countUsers(): Promise<number>;

  // clients
  insertClient(row: NewClientRow): Promise<void>;
  getClient(clientId: string): Promise<ClientRow | undefined>;
  /** Changes a client's registration and state (never its id, kind or creation time); not_found when unknown. */
  updateClient(clientId: string, patch: Partial<Omit<ClientRow, 'clientId' | 'kind' | 'createdAt'>>): Promise<void>;
  listClients(): Promise<ClientRow[]>;

  // sessions
  insertSession(row: SessionRow): Promise<void>;
  getSession(id: string): Promise<SessionRow | undefined>;
  updateSession(id: string, patch: Partial<Pick<SessionRow, 'lastActivityAt' | 'idleExpiresAt' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'refreshCount'>>): Promise<void>;
  /** Sessions not revoked and not past either expiry at `now`, oldest first. */
  listActiveSessionsOfUser(userId: string, now: number): Promise<SessionRow[]>;
  /** Marks every open session of the user as unable to refresh (see SessionRow.refreshEndedAt); returns how many. */
  endRefreshOfUserSessions(userId: string, at: number): Promise<number>;
  /** Most recent activity first. `status` is judged at `now`. */
  listSessions(query: { userId?: string; status?: SessionStatus; now: number; offset: number; limit: number }): Promise<Page<SessionRow>>;
  /** Open sessions (not revoked, not expired), those that can't refresh included: they may hold live access tokens. */
  countActiveSessions(now: number): Promise<number>;
  countActiveSessionsOfUser(userId: string, now: number): Promise<number>;

  // refresh tokens
  insertRefreshToken(row: RefreshTokenRow): Promise<void>;
  getRefreshToken(hash: string): Promise<RefreshTokenRow | undefined>;
  /** A refresh token with its session and user, in one lookup (the refresh grant's first step); undefined if any is missing. */
  getRefreshGrant(hash: string): Promise<{ token: RefreshTokenRow; session: SessionRow; user: UserRow } | undefined>;
  /**
   * Atomically marks an unused token used, links its successor and records who presented it (the record of
   * a routine refresh). Returns false when it was already used (the compare-and-set that makes one of two
   * racing refreshes lose).
   */
  markRefreshTokenUsed(hash: string, usedAt: number, successorHash: string, presenter?: Presenter): Promise<boolean>;
  /**
   * Optional (PostgreSQL: one statement, where the four calls are four round trips): updateSession(rotation.
   * sessionId, rotation.session), markRefreshTokenUsed of `hash` with `successor.hash`, and only if that won,
   * insertRefreshToken(successor) and insertAccessToken(access). Same result and failures as those calls in that
   * order; without it the engine makes them (../engine/refresh.ts).
   */
  rotateRefreshToken?(rotation: RefreshRotation): Promise<boolean>;
  /** Marks one not-yet-revoked refresh token revoked; false when it was unknown or already revoked. */
  revokeRefreshToken(hash: string, at: number): Promise<boolean>;
  /**
   * Revokes those of the sessions still open (revoked_at, revoked_by and revoke_reason set; already revoked ones
   * are left as they are) and, for each, its live refresh tokens as revokeRefreshTokensOfSession does. Returns
   * the sessions it revoked with how many refresh tokens each lost, in no particular order. Each session's row
   * before its tokens (the order a rotation locks them in), in id order. PostgreSQL: one round trip for them all.
   */
  revokeSessions(sessionIds: string[], revocation: { at: number; by: string; reason: string }): Promise<RevokedSession[]>;
  /**
   * Marks the session's live refresh tokens (neither revoked nor used: its current one) revoked; returns how many.
   * Its used tokens stay as they are (rotated: dead already, and shown so).
   */
  revokeRefreshTokensOfSession(sessionId: string, at: number): Promise<number>;
  /** Marks every not-yet-revoked, unused refresh token of the user revoked; returns how many. */
  revokeRefreshTokensOfUser(userId: string, at: number): Promise<number>;
  /** The session's refresh chain, oldest first. */
  listRefreshTokensOfSession(sessionId: string): Promise<RefreshTokenRow[]>;

  // access tokens
  insertAccessToken(row: AccessTokenRow): Promise<void>;
  getAccessToken(jti: string): Promise<AccessTokenRow | undefined>;
  listAccessTokensOfSession(sessionId: string, limit: number): Promise<AccessTokenRow[]>;
  /** Access tokens with exp > now for any of these sessions. */
  listLiveAccessTokensOfSessions(sessionIds: string[], now: number): Promise<AccessTokenRow[]>;
  listLiveAccessTokensOfUser(userId: string, now: number): Promise<AccessTokenRow[]>;
  /**
   * The user's live access tokens (exp > now) counted per session, with the latest expiry: what a force logout
   * reports and publishes, in one read (a session refreshed for a while has hundreds of live tokens). Sessions
   * without a live token are left out; in no particular order.
   */
  tallyLiveAccessTokensOfUser(userId: string, now: number): Promise<LiveAccessTokenTally[]>;
  countLiveAccessTokensByKid(kid: string, now: number): Promise<number>;
  /** Drops access-token records whose exp is before `before`; returns how many. */
  purgeAccessTokens(before: number): Promise<number>;

  // revocations (also the revocation feed's log)
  /** Appends to the revocation log; on a shared store the commit announces 'revocations' to every instance. */
  insertRevocation(row: Omit<RevocationRow, 'id'>): Promise<number>;
  isJtiRevoked(jti: string): Promise<boolean>;
  /** Revocations with id > afterId, ascending, at most `limit`. */
  listRevocationsAfter(afterId: number, limit: number): Promise<RevocationRow[]>;
  lastRevocationId(): Promise<number>;
  /** Drops `jti` revocations whose expiresAt is before `before`; returns how many. */
  purgeRevocations(before: number): Promise<number>;

  // signing keys (public parts only)
  insertKey(row: KeyRow): Promise<void>;
  getKey(kid: string): Promise<KeyRow | undefined>;
  updateKey(kid: string, patch: Partial<Pick<KeyRow, 'status' | 'retiringSince' | 'retiresAt' | 'revokedAt'>>): Promise<void>;
  listKeys(): Promise<KeyRow[]>;

  // audit (hash-chained; the store assigns seq and computes nothing)
  appendAudit(entry: AuditInsert & { prevHash: string; hash: string }): Promise<number>;
  /**
   * Appends entries in the order given (each chained onto the one before it by the caller) and returns their
   * seqs in that order: a unit of work's entries, written in one round trip where the store can.
   */
  appendAudits(entries: Array<AuditInsert & { prevHash: string; hash: string }>): Promise<number[]>;
  lastAudit(): Promise<AuditEntry | undefined>;
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** All entries in seq order, in batches, for chain verification. */
  iterateAudit(batchSize: number): AsyncIterableIterator<AuditEntry>;

  // settings and counters
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string): Promise<void>;
  incrementCounter(name: CounterName, by: number, at: number): Promise<void>;
  getCounters(): Promise<Record<CounterName, number>>;
  /** Buckets with minute >= since, ascending. */
  listMinuteBuckets(since: number): Promise<MinuteBucket[]>;
}
