/**
 * `Store` on better-sqlite3. Columns are aliased to camelCase in SQL so rows come back in shape; every
 * statement is prepared once and cached; every query is served by an index (see migrations.ts and the
 * query-plan test). Open it through `openStore()` (./index.ts), which sets pragmas and migrates.
 */
import Database from 'better-sqlite3';
import type { AuditEntry, SessionStatus, UserStatus } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type {
  AccessTokenRow, AuditFilter, AuditInsert, ClientRow, CounterName, NewClientRow, KeyRow, MinuteBucket, Page,
  Presenter, RefreshTokenRow, RevocationRow, SessionRow, Store, TransactionOptions, UserRow,
} from './store';
import type { Checkpointer } from './checkpointer';
import type { BackchannelOutboxStore } from './backchannel-outbox-store';
import { SqliteBackchannelOutboxStore } from './sqlite-backchannel-outbox-store';
import { SqliteBrowserSessionStore } from './sqlite-browser-session-store';
import { SqliteKeySecretStore } from './sqlite-key-secret-store';
import { SqliteSessionSearchStore } from './sqlite-session-search-store';
import { SqliteAdminStore } from './sqlite-admin-store';
import { SqliteAuditSearchStore } from './sqlite-audit-search-store';
import { SqliteAuthorizationCodeStore } from './sqlite-authorization-code-store';
import { SqliteClientSessionStore } from './sqlite-client-session-store';
import { SqliteTokenReachStore } from './sqlite-token-reach-store';
import { SqliteUserDirectoryStore } from './sqlite-user-directory-store';

type Params = Record<string, unknown>;

const USER = `id, username, password_hash AS passwordHash, status, created_at AS createdAt,
  refresh_version AS refreshVersion, not_before AS notBefore, blocked_at AS blockedAt,
  blocked_reason AS blockedReason, failed_logins AS failedLogins, locked_until AS lockedUntil,
  last_login_at AS lastLoginAt`;
const CLIENT = `client_id AS clientId, kind, name, secret_hash AS secretHash, created_at AS createdAt,
  redirect_uris AS redirectUris, post_logout_redirect_uris AS postLogoutRedirectUris,
  backchannel_logout_uri AS backchannelLogoutUri, grant_types AS grantTypes,
  id_token_signed_response_alg AS idTokenSignedResponseAlg, updated_at AS updatedAt,
  disabled_at AS disabledAt, disabled_reason AS disabledReason, deleted_at AS deletedAt,
  previous_secret_hash AS previousSecretHash, previous_secret_expires_at AS previousSecretExpiresAt,
  access_token_ttl_seconds AS accessTokenTtlSeconds, refresh_idle_seconds AS refreshIdleSeconds,
  refresh_absolute_seconds AS refreshAbsoluteSeconds`;
/** The session columns as SessionRow fields (also read by ./sqlite-session-search-store.ts). */
export const SESSION = `id, user_id AS userId, client_id AS clientId, device_name AS deviceName, user_agent AS userAgent,
  ip, remember_me AS rememberMe, scope, created_at AS createdAt, last_activity_at AS lastActivityAt,
  idle_expires_at AS idleExpiresAt, absolute_expires_at AS absoluteExpiresAt, revoked_at AS revokedAt,
  revoked_by AS revokedBy, revoke_reason AS revokeReason, refresh_count AS refreshCount,
  browser_session_id AS browserSessionId, refresh_ended_at AS refreshEndedAt`;
const REFRESH = `hash, session_id AS sessionId, user_id AS userId, client_id AS clientId,
  refresh_version AS refreshVersion, created_at AS createdAt, used_at AS usedAt,
  successor_hash AS successorHash, revoked_at AS revokedAt, used_ip AS usedIp, used_user_agent AS usedUserAgent`;
const ACCESS = `jti, session_id AS sessionId, user_id AS userId, client_id AS clientId, kid,
  issued_at AS issuedAt, expires_at AS expiresAt`;
const REVOCATION = `id, kind, subject, user_id AS userId, not_before AS notBefore, expires_at AS expiresAt,
  created_at AS createdAt, actor, reason`;
const KEY = `kid, alg, public_jwk AS publicJwk, status, created_at AS createdAt,
  retiring_since AS retiringSince, retires_at AS retiresAt, revoked_at AS revokedAt`;
const AUDIT = `seq, at, type, actor, user_id AS userId, session_id AS sessionId, reason, data,
  prev_hash AS prevHash, hash`;

/** Patchable fields → columns. Anything else in a patch is caller misuse. */
const USER_PATCH: Record<string, string> = {
  passwordHash: 'password_hash', status: 'status', refreshVersion: 'refresh_version', notBefore: 'not_before',
  blockedAt: 'blocked_at', blockedReason: 'blocked_reason', failedLogins: 'failed_logins',
  lockedUntil: 'locked_until', lastLoginAt: 'last_login_at',
};
const SESSION_PATCH: Record<string, string> = {
  lastActivityAt: 'last_activity_at', idleExpiresAt: 'idle_expires_at', revokedAt: 'revoked_at',
  revokedBy: 'revoked_by', revokeReason: 'revoke_reason', refreshCount: 'refresh_count',
};
const CLIENT_PATCH: Record<string, string> = {
  name: 'name', redirectUris: 'redirect_uris', postLogoutRedirectUris: 'post_logout_redirect_uris',
  backchannelLogoutUri: 'backchannel_logout_uri', grantTypes: 'grant_types',
  idTokenSignedResponseAlg: 'id_token_signed_response_alg', updatedAt: 'updated_at',
  secretHash: 'secret_hash', disabledAt: 'disabled_at', disabledReason: 'disabled_reason', deletedAt: 'deleted_at',
  previousSecretHash: 'previous_secret_hash', previousSecretExpiresAt: 'previous_secret_expires_at',
  accessTokenTtlSeconds: 'access_token_ttl_seconds', refreshIdleSeconds: 'refresh_idle_seconds',
  refreshAbsoluteSeconds: 'refresh_absolute_seconds',
};
const KEY_PATCH: Record<string, string> = {
  status: 'status', retiringSince: 'retiring_since', retiresAt: 'retires_at', revokedAt: 'revoked_at',
};

const BUCKET_COLUMN: Record<CounterName, string | null> = {
  tokens_issued: 'issued', refreshes: 'refreshed', revocations: 'revoked', reuse_alerts: null,
};

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** `PRAGMA synchronous` values by number. */
const SYNCHRONOUS_LEVELS = ['off', 'normal', 'full', 'extra'];

type RawSession = Omit<SessionRow, 'rememberMe'> & { rememberMe: number };
type RawClient = Omit<ClientRow, 'redirectUris' | 'postLogoutRedirectUris' | 'grantTypes'> & {
  redirectUris: string; postLogoutRedirectUris: string; grantTypes: string;
};

/** The JSON list columns of a client row (schema 5 CHECKs they are valid JSON). */
const toClient = (row: RawClient): ClientRow => ({
  ...row,
  redirectUris: JSON.parse(row.redirectUris) as string[],
  postLogoutRedirectUris: JSON.parse(row.postLogoutRedirectUris) as string[],
  grantTypes: JSON.parse(row.grantTypes) as ClientRow['grantTypes'],
});
type RawAudit = Omit<AuditEntry, 'data'> & { data: string };

export const toSession = (row: RawSession): SessionRow => ({ ...row, rememberMe: row.rememberMe === 1 });
/** A column list's [column, field] pairs: `id, user_id AS userId` → [['id', 'id'], ['user_id', 'userId']]. */
const pairsOf = (columns: string): [string, string][] =>
  columns.split(',').map((item) => {
    const [column, field] = item.trim().split(/\s+AS\s+/);
    return [column!, field ?? column!];
  });
const GRANT_PARTS = { token: ['t', pairsOf(REFRESH)], session: ['s', pairsOf(SESSION)], user: ['u', pairsOf(USER)] } as const;
const GRANT_FIELDS = {
  token: GRANT_PARTS.token[1].map(([, field]) => field),
  session: GRANT_PARTS.session[1].map(([, field]) => field),
  user: GRANT_PARTS.user[1].map(([, field]) => field),
};
const GRANT_SQL = `SELECT ${Object.values(GRANT_PARTS).flatMap(([alias, pairs]) => pairs.map(([column]) => `${alias}.${column}`)).join(', ')}
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = t.user_id WHERE t.hash = ?`;
const toAudit = (row: RawAudit): AuditEntry => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> });

/** `LIKE` treats % and _ as wildcards; a search text is literal, so escape them (and the escape char). */
function likePrefix(text: string): string {
  return `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function assertHash(value: string, what: string): void {
  // The interface only ever carries SHA-256 hex; anything else would be a raw token leaking into storage.
  if (!SHA256_HEX.test(value)) throw new TypeError(`${what} must be a lowercase hex SHA-256`);
}

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`${what} must be a non-negative integer`);
}

/** Maps a SQLite failure to a coded error; the SQL detail stays in `detail`, out of `message`. */
export function toStoreError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const detail = `${error.code}: ${error.message}`;
  switch (error.code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new WardenError('conflict', 'A record with the same key already exists.', { detail });
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return new WardenError('not_found', 'A record it refers to does not exist.', { detail });
    case 'SQLITE_CONSTRAINT_CHECK':
    case 'SQLITE_CONSTRAINT_NOTNULL':
      return new WardenError('invalid_input', 'The store refused a malformed value.', { detail });
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new WardenError('storage_error', 'The database is busy; try again.', { detail });
    default:
      return new WardenError('storage_error', `The database could not complete the operation: ${describeSqliteFailure(error.code)}.`, { detail });
  }
}

/**
 * The cause of a SQLite failure in words an operator can act on (damage, permissions, disk full, I/O, locked),
 * from its primary or extended result code (`SQLITE_IOERR_WRITE` is an I/O error). No SQL text in it.
 */
export function describeSqliteFailure(code: string | undefined): string {
  const primary = /^SQLITE_[A-Z]+/.exec(code ?? '')?.[0];
  switch (primary) {
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return 'the database file is damaged (restore it from a backup)';
    case 'SQLITE_FULL':
      return 'the disk is full';
    case 'SQLITE_READONLY':
    case 'SQLITE_PERM':
    case 'SQLITE_AUTH':
      return 'permission denied: check that this user may read and write the data directory and its files';
    case 'SQLITE_CANTOPEN':
      return 'the file cannot be opened: check that it exists and that this user may read and write it and its directory';
    case 'SQLITE_IOERR':
      return 'an I/O error: the disk may be failing or was removed';
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return 'the database is locked by another connection';
    case 'SQLITE_NOMEM':
      return 'out of memory';
    default:
      return `an unexpected database error (${code ?? 'no code'})`;
  }
}

export class SqliteStore implements Store {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly txRunner: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Every token request authenticates its client: one read per request saved (see getClient). */
  private readonly clients = new Map<string, ClientRow>();
  /** UPDATE statements built by patch(), by table and field set. */
  private readonly patchSql = new Map<string, string>();
  private open = true;
  /** Whether the open outermost transaction commits with synchronous=FULL. */
  private durableOpen = false;
  private readonly commitListeners = new Set<(commit: { synchronous: string }) => void>();
  readonly backchannelOutbox: BackchannelOutboxStore;
  readonly browserSessions: SqliteBrowserSessionStore;
  readonly auditSearch: SqliteAuditSearchStore;
  readonly authorizationCodes: SqliteAuthorizationCodeStore;
  readonly admins: SqliteAdminStore;
  readonly clientSessions: SqliteClientSessionStore;
  readonly tokenReach: SqliteTokenReachStore;
  readonly sessionSearch: SqliteSessionSearchStore;
  readonly userDirectory: SqliteUserDirectoryStore;
  readonly keySecrets: SqliteKeySecretStore;

  /**
   * @param db an open, migrated connection (see `openStore`)
   * @param id this data directory's instance id
   * @param migrationsApplied the schema versions applied when this connection opened (empty on reopen)
   * @param checkpointer background WAL checkpoints for a file database, stopped before the connection closes
   */
  constructor(
    private readonly db: Database.Database,
    private readonly id: string,
    readonly migrationsApplied: readonly number[],
    private readonly checkpointer?: Checkpointer,
  ) {
    this.backchannelOutbox = new SqliteBackchannelOutboxStore((sql) => this.q(sql));
    this.txRunner = db.transaction((fn: () => unknown) => {
      const result = fn();
      // better-sqlite3 commits when fn returns; an async fn would commit before its awaits ran.
      if (result instanceof Promise) throw new TypeError('transaction() takes a synchronous function');
      return result;
    });
    this.browserSessions = new SqliteBrowserSessionStore((sql) => this.q(sql));
    this.auditSearch = new SqliteAuditSearchStore((sql) => this.q(sql));
    this.authorizationCodes = new SqliteAuthorizationCodeStore((sql) => this.q(sql));
    this.admins = new SqliteAdminStore((sql) => this.q(sql));
    this.clientSessions = new SqliteClientSessionStore((sql) => this.q(sql));
    this.tokenReach = new SqliteTokenReachStore((sql) => this.q(sql));
    this.sessionSearch = new SqliteSessionSearchStore((sql) => this.q(sql));
    this.userDirectory = new SqliteUserDirectoryStore((sql) => this.q(sql));
    this.keySecrets = new SqliteKeySecretStore((sql) => this.q(sql));
  }

  private q(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** UPDATE only the given fields; `derived` adds SET clauses that follow from a field (kept columns). */
  private patch(table: string, key: string, columns: Record<string, string>, method: string, id: string, patch: object,
    derived: Record<string, string> = {}): void {
    const params: Params = { pk: id };
    const fields: string[] = [];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (columns[field] === undefined) throw new TypeError(`${method}: "${field}" cannot be updated`);
      fields.push(field);
      params[field] = value;
    }
    if (fields.length === 0) return;
    // One statement per (table, set of fields): sorted, so the order a caller lists them in does not matter.
    fields.sort();
    const shape = `${table}|${fields.join(',')}`;
    let sql = this.patchSql.get(shape);
    if (sql === undefined) {
      const sets = fields.flatMap((field) => [`${columns[field]} = @${field}`, ...(derived[field] !== undefined ? [derived[field]] : [])]);
      sql = `UPDATE ${table} SET ${sets.join(', ')} WHERE ${key} = @pk`;
      this.patchSql.set(shape, sql);
    }
    const result = this.q(sql).run(params);
    if (result.changes === 0) throw new WardenError('not_found', `${method}: no such record.`);
  }

  private count(sql: string, params: Params | unknown[] = {}): number {
    return (this.q(sql).get(params) as { n: number }).n;
  }

  private rowCount(name: string): number {
    return this.count('SELECT n FROM row_counts WHERE name = ?', [name]);
  }

  /**
   * BEGIN IMMEDIATE (take the write lock up front, so a read-then-write unit cannot hit SQLITE_BUSY halfway).
   * Nested calls join the outer transaction inside a SAVEPOINT: if one throws, its own writes are undone
   * and the error propagates; an outer caller may catch it and commit the rest (the engine's batched units
   * rely on this). A throw that reaches the outermost call rolls back everything.
   */
  transaction<T>(fn: () => T, options: TransactionOptions = {}): T {
    const durable = options.durable === true;
    // better-sqlite3 sees db.inTransaction and uses a savepoint instead of BEGIN when nested.
    if (this.db.inTransaction) {
      if (durable && !this.durableOpen) throw new TypeError('transaction(): a durable transaction cannot join a routine one');
      return this.txRunner.immediate(fn) as T;
    }
    // The routine path, every refresh batch's, stays exactly one BEGIN ... COMMIT.
    if (!durable && this.commitListeners.size === 0) return this.txRunner.immediate(fn) as T;
    // SQLite refuses to change the level inside a transaction ("Safety level may not be changed inside a
    // transaction"), so it is set before BEGIN and put back after the commit (or the rollback).
    if (durable) this.db.pragma('synchronous = FULL');
    this.durableOpen = durable;
    let level: number | undefined;
    try {
      const result = this.txRunner.immediate(() => {
        const value = fn();
        // Read from SQLite inside the transaction, where it can no longer change: the level its commit uses.
        if (this.commitListeners.size > 0) level = this.db.pragma('synchronous', { simple: true }) as number;
        return value;
      }) as T;
      if (level !== undefined) {
        const commit = { synchronous: SYNCHRONOUS_LEVELS[level] ?? String(level) };
        for (const listener of this.commitListeners) listener(commit);
      }
      return result;
    } finally {
      this.durableOpen = false;
      if (durable) this.db.pragma('synchronous = NORMAL');
    }
  }

  /**
   * Hears every committed outermost transaction with the `PRAGMA synchronous` level in force at its commit
   * (`normal`, `full`): how the tests check which kinds of transaction are durable. Not part of `Store`.
   */
  observeCommits(listener: (commit: { synchronous: string }) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.checkpointer?.stop();
    try {
      // Refreshes planner statistics for tables that need it; the analysis limit samples instead of reading
      // millions of rows (unbounded, this took ~11 s on a 2 GB database at shutdown).
      this.db.pragma('analysis_limit = 400');
      this.db.pragma('optimize');
    } catch {
      // Best effort (e.g. another process holds the write lock): stale statistics are no reason to fail a close.
    }
    this.db.close();
  }

  instanceId(): string {
    return this.id;
  }

  // users

  insertUser(row: UserRow): void {
    this.q(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, not_before,
      blocked_at, blocked_reason, failed_logins, locked_until, last_login_at) VALUES (@id, @username,
      @passwordHash, @status, @createdAt, @refreshVersion, @notBefore, @blockedAt, @blockedReason, @failedLogins,
      @lockedUntil, @lastLoginAt)`).run(row);
  }

  getUser(id: string): UserRow | undefined {
    return this.q(`SELECT ${USER} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
  }

  getUserByUsername(username: string): UserRow | undefined {
    return this.q(`SELECT ${USER} FROM users WHERE username = ?`).get(username) as UserRow | undefined;
  }

  updateUser(id: string, patch: Partial<Omit<UserRow, 'id' | 'username' | 'createdAt'>>): void {
    this.patch('users', 'id', USER_PATCH, 'updateUser', id, patch);
  }

  listUsers(query: { search?: string; status?: UserStatus; offset: number; limit: number }): Page<UserRow> {
    assertCount(query.offset, 'offset');
    assertCount(query.limit, 'limit');
    if (query.status !== undefined && query.status !== 'active' && query.status !== 'blocked') {
      throw new TypeError('listUsers: unknown status');
    }
    const params: Params = { offset: query.offset, limit: query.limit, status: query.status };
    const statusTerm = query.status ? 'status = @status' : undefined;
    const order = 'ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset';
    if (!query.search) {
      const items = this.q(`SELECT ${USER} FROM users ${statusTerm ? `WHERE ${statusTerm}` : ''} ${order}`).all(params) as UserRow[];
      const blocked = this.rowCount('users_blocked');
      const all = this.rowCount('users');
      return { items, total: query.status === 'blocked' ? blocked : query.status === 'active' ? all - blocked : all };
    }
    params.pattern = likePrefix(query.search);
    // The NOCASE unique index serves a LIKE prefix as a range (SQLite's LIKE optimization).
    const where = (column: string): string =>
      `WHERE ${column} LIKE @pattern ESCAPE '\\'${statusTerm ? ` AND ${statusTerm}` : ''}`;
    const total = this.count(`SELECT count(*) AS n FROM users ${where('username')}`, params);
    if (total <= query.offset || query.limit === 0) return { items: [], total };
    // Two plans, picked by how dense the matches are. A short prefix ("a") matches most users: walking the
    // created_at index newest-first fills a page after a few rows, while fetching every match by the range
    // and sorting costs all of them. A long prefix matches few: the range and a small sort win.
    // `+username` takes the username index out of the planner's choice, forcing the walk.
    const rowsToWalk = ((query.offset + query.limit) * this.rowCount('users')) / total;
    const column = rowsToWalk < 3 * total ? '+username' : 'username';
    const items = this.q(`SELECT ${USER} FROM users ${where(column)} ${order}`).all(params) as UserRow[];
    return { items, total };
  }

  countUsers(): number {
    return this.rowCount('users');
  }

  // clients

  insertClient(row: NewClientRow): void {
    this.q(`INSERT INTO clients (client_id, kind, name, secret_hash, created_at, redirect_uris, post_logout_redirect_uris,
      backchannel_logout_uri, grant_types, id_token_signed_response_alg, updated_at, access_token_ttl_seconds,
      refresh_idle_seconds, refresh_absolute_seconds)
      VALUES (@clientId, @kind, @name, @secretHash, @createdAt, @redirectUris, @postLogoutRedirectUris,
      @backchannelLogoutUri, @grantTypes, @idTokenSignedResponseAlg, @updatedAt, @accessTokenTtlSeconds,
      @refreshIdleSeconds, @refreshAbsoluteSeconds)`).run({
      accessTokenTtlSeconds: null, refreshIdleSeconds: null, refreshAbsoluteSeconds: null,
      ...row,
      redirectUris: JSON.stringify(row.redirectUris),
      postLogoutRedirectUris: JSON.stringify(row.postLogoutRedirectUris),
      grantTypes: JSON.stringify(row.grantTypes),
    });
  }

  getClient(clientId: string): ClientRow | undefined {
    const cached = this.clients.get(clientId);
    if (cached) return cached;
    const raw = this.q(`SELECT ${CLIENT} FROM clients WHERE client_id = ?`).get(clientId) as RawClient | undefined;
    const row = raw && toClient(raw);
    // Only rows read outside a transaction are kept, so the cache holds committed rows only: inside one, the
    // row might yet be rolled back. Rows are never deleted (deleteClient leaves a tombstone); updateClient drops its entry.
    if (row && !this.db.inTransaction) this.clients.set(clientId, Object.freeze(row));
    return row;
  }

  /**
   * The cached copy goes with the write, so that the writing transaction reads its own change and nobody reads
   * the old registration after the commit. Dropping it never shows an uncommitted row: the cache refills only
   * outside a transaction, so after a rollback the next read caches the committed row again.
   */
  updateClient(clientId: string, patch: Partial<Omit<ClientRow, 'clientId' | 'kind' | 'createdAt'>>): void {
    const json = (value: string[] | undefined) => (value === undefined ? undefined : JSON.stringify(value));
    this.patch('clients', 'client_id', CLIENT_PATCH, 'updateClient', clientId, {
      ...patch,
      redirectUris: json(patch.redirectUris),
      postLogoutRedirectUris: json(patch.postLogoutRedirectUris),
      grantTypes: json(patch.grantTypes),
    });
    this.clients.delete(clientId);
  }

  listClients(): ClientRow[] {
    return (this.q(`SELECT ${CLIENT} FROM clients ORDER BY created_at, rowid`).all() as RawClient[]).map(toClient);
  }

  // sessions

  insertSession(row: SessionRow): void {
    this.q(`INSERT INTO sessions (id, user_id, client_id, device_name, user_agent, ip, remember_me, scope, created_at,
      last_activity_at, idle_expires_at, absolute_expires_at, live_until, revoked_at, revoked_by, revoke_reason,
      refresh_count, browser_session_id, refresh_ended_at) VALUES (@id, @userId, @clientId, @deviceName, @userAgent, @ip,
      @rememberMe, @scope, @createdAt, @lastActivityAt, @idleExpiresAt, @absoluteExpiresAt, @liveUntil, @revokedAt,
      @revokedBy, @revokeReason, @refreshCount, @browserSessionId, @refreshEndedAt)`).run({
      ...row,
      rememberMe: row.rememberMe ? 1 : 0,
      liveUntil: Math.min(row.idleExpiresAt, row.absoluteExpiresAt),
    });
  }

  getSession(id: string): SessionRow | undefined {
    const row = this.q(`SELECT ${SESSION} FROM sessions WHERE id = ?`).get(id) as RawSession | undefined;
    return row && toSession(row);
  }

  updateSession(id: string, patch: Partial<Pick<SessionRow, 'lastActivityAt' | 'idleExpiresAt' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'refreshCount'>>): void {
    this.patch('sessions', 'id', SESSION_PATCH, 'updateSession', id, patch, {
      idleExpiresAt: 'live_until = MIN(@idleExpiresAt, absolute_expires_at)',
    });
  }

  listActiveSessionsOfUser(userId: string, now: number): SessionRow[] {
    const rows = this.q(`SELECT ${SESSION} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND live_until > ?
      ORDER BY created_at, rowid`).all(userId, now) as RawSession[];
    return rows.map(toSession);
  }

  endRefreshOfUserSessions(userId: string, at: number): number {
    return this.q('UPDATE sessions SET refresh_ended_at = ? WHERE user_id = ? AND revoked_at IS NULL AND refresh_ended_at IS NULL')
      .run(at, userId).changes;
  }

  listSessions(query: { userId?: string; status?: SessionStatus; now: number; offset: number; limit: number }): Page<SessionRow> {
    assertCount(query.offset, 'offset');
    assertCount(query.limit, 'limit');
    const where: string[] = [];
    if (query.userId !== undefined) where.push('user_id = @userId');
    // live_until = MIN(idle, absolute): "not past either expiry" is live_until > now.
    // An open session whose refresh family a refresh-version bump ended is `cant_refresh`, not `active`.
    if (query.status === 'active') where.push('revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NULL');
    else if (query.status === 'cant_refresh') where.push('revoked_at IS NULL AND live_until > @now AND refresh_ended_at IS NOT NULL');
    else if (query.status === 'expired') where.push('revoked_at IS NULL AND live_until <= @now');
    else if (query.status === 'revoked') where.push('revoked_at IS NOT NULL');
    else if (query.status !== undefined) throw new TypeError('listSessions: unknown status');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const params: Params = { userId: query.userId, now: query.now, offset: query.offset, limit: query.limit };
    // Across all users the planner prefers the plain activity index for a status list, then checks each row
    // in the table; if the status is rare (a handful revoked among a million) that walks the whole table.
    // The partial indexes hold only candidates and carry the status columns, so pin them.
    let source = 'sessions';
    if (query.userId === undefined && query.status === 'revoked') source = 'sessions INDEXED BY sessions_revoked_activity';
    else if (query.userId === undefined && query.status === 'cant_refresh') source = 'sessions INDEXED BY sessions_cant_refresh';
    else if (query.userId === undefined && query.status !== undefined) source = 'sessions INDEXED BY sessions_live_activity';
    const rows = this.q(`SELECT ${SESSION} FROM ${source} ${clause} ORDER BY last_activity_at DESC, rowid DESC
      LIMIT @limit OFFSET @offset`).all(params) as RawSession[];
    let total: number;
    if (query.userId === undefined && query.status === undefined) total = this.rowCount('sessions');
    else if (query.userId === undefined && query.status === 'revoked') total = this.rowCount('sessions_revoked');
    // The open count is index-only (sessions_live); the can't-refresh ones are few and have an index of their own.
    else if (query.userId === undefined && query.status === 'active') total = this.countActiveSessions(query.now) - this.countCantRefresh(query.now);
    else if (query.userId === undefined && query.status === 'expired') {
      // Expired sessions pile up (nothing deletes them); count the few live ones and subtract instead.
      total = this.rowCount('sessions') - this.rowCount('sessions_revoked') - this.countActiveSessions(query.now);
    } else total = this.count(`SELECT count(*) AS n FROM sessions ${clause}`, params);
    return { items: rows.map(toSession), total };
  }

  countActiveSessions(now: number): number {
    return this.count('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL AND live_until > ?', [now]);
  }

  private countCantRefresh(now: number): number {
    return this.count(`SELECT count(*) AS n FROM sessions INDEXED BY sessions_cant_refresh
      WHERE revoked_at IS NULL AND refresh_ended_at IS NOT NULL AND live_until > ?`, [now]);
  }

  countActiveSessionsOfUser(userId: string, now: number): number {
    return this.count('SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND live_until > ?', [userId, now]);
  }

  // refresh tokens

  insertRefreshToken(row: RefreshTokenRow): void {
    assertHash(row.hash, 'hash');
    if (row.successorHash !== null) assertHash(row.successorHash, 'successorHash');
    this.q(`INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at,
      successor_hash, revoked_at, used_ip, used_user_agent) VALUES (@hash, @sessionId, @userId, @clientId,
      @refreshVersion, @createdAt, @usedAt, @successorHash, @revokedAt, @usedIp, @usedUserAgent)`).run(row);
  }

  getRefreshToken(hash: string): RefreshTokenRow | undefined {
    return this.q(`SELECT ${REFRESH} FROM refresh_tokens WHERE hash = ?`).get(hash) as RefreshTokenRow | undefined;
  }

  getRefreshGrant(hash: string): { token: RefreshTokenRow; session: SessionRow; user: UserRow } | undefined {
    // One statement instead of three (half the time of the separate lookups). Raw rows, read back in column
    // order: the three tables share field names (userId, createdAt, …), and expand() costs more than it saves.
    const row = this.q(GRANT_SQL).raw(true).get(hash) as unknown[] | undefined;
    if (!row) return undefined;
    let at = 0;
    const take = <T>(fields: readonly string[]): T => {
      const record: Record<string, unknown> = {};
      for (const field of fields) record[field] = row[at++];
      return record as T;
    };
    const token = take<RefreshTokenRow>(GRANT_FIELDS.token);
    const session = toSession(take<RawSession>(GRANT_FIELDS.session));
    return { token, session, user: take<UserRow>(GRANT_FIELDS.user) };
  }

  markRefreshTokenUsed(hash: string, usedAt: number, successorHash: string, presenter?: Presenter): boolean {
    assertHash(successorHash, 'successorHash');
    // Compare-and-set: of two racing refreshes only one sees `used_at IS NULL`.
    const result = this.q(`UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, used_ip = ?, used_user_agent = ?
      WHERE hash = ? AND used_at IS NULL`).run(usedAt, successorHash, presenter?.ip ?? null, presenter?.userAgent ?? null, hash);
    return result.changes === 1;
  }

  revokeRefreshToken(hash: string, at: number): boolean {
    return this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(at, hash).changes === 1;
  }

  revokeRefreshTokensOfSession(sessionId: string, at: number): number {
    return this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL').run(at, sessionId).changes;
  }

  revokeRefreshTokensOfUser(userId: string, at: number): number {
    return this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND used_at IS NULL')
      .run(at, userId).changes;
  }

  listRefreshTokensOfSession(sessionId: string): RefreshTokenRow[] {
    return this.q(`SELECT ${REFRESH} FROM refresh_tokens WHERE session_id = ? ORDER BY created_at, rowid`).all(sessionId) as RefreshTokenRow[];
  }

  // access tokens

  insertAccessToken(row: AccessTokenRow): void {
    this.q(`INSERT INTO access_tokens (jti, session_id, user_id, client_id, kid, issued_at, expires_at)
      VALUES (@jti, @sessionId, @userId, @clientId, @kid, @issuedAt, @expiresAt)`).run(row);
  }

  getAccessToken(jti: string): AccessTokenRow | undefined {
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE jti = ?`).get(jti) as AccessTokenRow | undefined;
  }

  /** Newest first. */
  listAccessTokensOfSession(sessionId: string, limit: number): AccessTokenRow[] {
    assertCount(limit, 'limit');
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id = ? ORDER BY issued_at DESC, rowid DESC LIMIT ?`)
      .all(sessionId, limit) as AccessTokenRow[];
  }

  /** Oldest first. */
  listLiveAccessTokensOfSessions(sessionIds: string[], now: number): AccessTokenRow[] {
    if (sessionIds.length === 0) return [];
    // One statement for any number of ids: the list travels as a JSON array.
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id IN (SELECT value FROM json_each(?))
      AND expires_at > ? ORDER BY issued_at, rowid`).all(JSON.stringify(sessionIds), now) as AccessTokenRow[];
  }

  /** Oldest first. Through the user's sessions: a token's user is always its session's (see migration 3). */
  listLiveAccessTokensOfUser(userId: string, now: number): AccessTokenRow[] {
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)
      AND expires_at > ? ORDER BY issued_at, rowid`).all(userId, now) as AccessTokenRow[];
  }

  countLiveAccessTokensByKid(kid: string, now: number): number {
    return this.count('SELECT count(*) AS n FROM access_tokens WHERE kid = ? AND expires_at > ?', [kid, now]);
  }

  purgeAccessTokens(before: number): number {
    return this.q('DELETE FROM access_tokens WHERE expires_at < ?').run(before).changes;
  }

  // revocations

  insertRevocation(row: Omit<RevocationRow, 'id'>): number {
    const result = this.q(`INSERT INTO revocations (kind, subject, user_id, not_before, expires_at, created_at, actor,
      reason) VALUES (@kind, @subject, @userId, @notBefore, @expiresAt, @createdAt, @actor, @reason)`).run(row);
    return Number(result.lastInsertRowid);
  }

  isJtiRevoked(jti: string): boolean {
    return this.q("SELECT 1 FROM revocations WHERE kind = 'jti' AND subject = ? LIMIT 1").get(jti) !== undefined;
  }

  listRevocationsAfter(afterId: number, limit: number): RevocationRow[] {
    assertCount(limit, 'limit');
    return this.q(`SELECT ${REVOCATION} FROM revocations WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as RevocationRow[];
  }

  lastRevocationId(): number {
    // sqlite_sequence holds the highest id ever handed out, which survives purging the newest rows.
    const row = this.q("SELECT seq FROM sqlite_sequence WHERE name = 'revocations'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  purgeRevocations(before: number): number {
    // Pinned: the planner would otherwise walk every jti row through the (kind, subject) index.
    return this.q("DELETE FROM revocations INDEXED BY revocations_jti_expiry WHERE kind = 'jti' AND expires_at < ?").run(before).changes;
  }

  // signing keys

  insertKey(row: KeyRow): void {
    this.q(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at)
      VALUES (@kid, @alg, @publicJwk, @status, @createdAt, @retiringSince, @retiresAt, @revokedAt)`).run(row);
  }

  getKey(kid: string): KeyRow | undefined {
    return this.q(`SELECT ${KEY} FROM signing_keys WHERE kid = ?`).get(kid) as KeyRow | undefined;
  }

  updateKey(kid: string, patch: Partial<Pick<KeyRow, 'status' | 'retiringSince' | 'retiresAt' | 'revokedAt'>>): void {
    this.patch('signing_keys', 'kid', KEY_PATCH, 'updateKey', kid, patch);
  }

  listKeys(): KeyRow[] {
    return this.q(`SELECT ${KEY} FROM signing_keys ORDER BY created_at, rowid`).all() as KeyRow[];
  }

  // audit

  appendAudit(entry: AuditInsert & { prevHash: string; hash: string }): number {
    const result = this.q(`INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      VALUES (@at, @type, @actor, @userId, @sessionId, @reason, @data, @prevHash, @hash)`).run({
      at: entry.at, type: entry.type, actor: entry.actor, userId: entry.userId, sessionId: entry.sessionId,
      reason: entry.reason, data: JSON.stringify(entry.data), prevHash: entry.prevHash, hash: entry.hash,
    });
    return Number(result.lastInsertRowid);
  }

  lastAudit(): AuditEntry | undefined {
    const row = this.q(`SELECT ${AUDIT} FROM audit ORDER BY seq DESC LIMIT 1`).get() as RawAudit | undefined;
    return row && toAudit(row);
  }

  /** Newest first; `since`/`until` are inclusive bounds on `at`, `beforeSeq` is exclusive. */
  listAudit(filter: AuditFilter): AuditEntry[] {
    assertCount(filter.limit, 'limit');
    const where: string[] = [];
    const conditions: [keyof AuditFilter, string][] = [
      ['type', 'type = @type'], ['actor', 'actor = @actor'], ['userId', 'user_id = @userId'],
      ['sessionId', 'session_id = @sessionId'], ['since', 'at >= @since'], ['until', 'at <= @until'],
      ['beforeSeq', 'seq < @beforeSeq'],
    ];
    for (const [field, condition] of conditions) if (filter[field] !== undefined) where.push(condition);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.q(`SELECT ${AUDIT} FROM audit ${clause} ORDER BY seq DESC LIMIT @limit`).all(filter) as RawAudit[];
    return rows.map(toAudit);
  }

  *iterateAudit(batchSize: number): IterableIterator<AuditEntry> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer');
    // Keyset pages (seq > last) rather than one open cursor: the connection stays free for writes between
    // batches, and no page costs more than its own rows.
    let after = 0;
    for (;;) {
      let rows: RawAudit[];
      try {
        rows = this.q(`SELECT ${AUDIT} FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`).all(after, batchSize) as RawAudit[];
      } catch (error) {
        throw toStoreError(error);
      }
      for (const row of rows) yield toAudit(row);
      const last = rows[rows.length - 1];
      if (rows.length < batchSize || last === undefined) return;
      after = last.seq;
    }
  }

  // settings and counters

  getSetting(key: string): string | undefined {
    return (this.q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  putSetting(key: string, value: string): void {
    this.q('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  incrementCounter(name: CounterName, by: number, at: number): void {
    const column = BUCKET_COLUMN[name];
    if (column === undefined) throw new TypeError(`unknown counter "${String(name)}"`);
    if (!Number.isSafeInteger(by)) throw new TypeError('by must be an integer');
    this.transaction(() => {
      this.q('UPDATE counters SET value = value + ? WHERE name = ?').run(by, name);
      if (column === null) return;
      const minute = Math.floor(at / 60_000) * 60_000;
      this.q(`INSERT INTO minute_buckets (minute, ${column}) VALUES (?, ?)
        ON CONFLICT (minute) DO UPDATE SET ${column} = ${column} + excluded.${column}`).run(minute, by);
    });
  }

  getCounters(): Record<CounterName, number> {
    const counters: Record<CounterName, number> = { tokens_issued: 0, refreshes: 0, revocations: 0, reuse_alerts: 0 };
    for (const row of this.q('SELECT name, value FROM counters').all() as { name: CounterName; value: number }[]) {
      if (row.name in counters) counters[row.name] = row.value;
    }
    return counters;
  }

  listMinuteBuckets(since: number): MinuteBucket[] {
    return this.q('SELECT minute, issued, refreshed, revoked FROM minute_buckets WHERE minute >= ? ORDER BY minute')
      .all(since) as MinuteBucket[];
  }

  // diagnostics (not part of Store)

  /** The SQL of every statement this connection has prepared, for the query-plan test. */
  preparedSql(): string[] {
    return [...this.statements.keys()];
  }

  /** `EXPLAIN QUERY PLAN` details for `sql` with `params` bound. */
  queryPlan(sql: string, params: Params | unknown[] = {}): string[] {
    const rows = this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[];
    return rows.map((row) => row.detail);
  }
}

// Every public method reports SQLite failures as coded WardenErrors (iterateAudit does so per batch, since a
// generator's body runs after the call returns). Wrapping the prototype once keeps each method body plain.
const UNGUARDED = new Set(['constructor', 'iterateAudit', 'q', 'patch', 'count', 'rowCount']);
for (const name of Object.getOwnPropertyNames(SqliteStore.prototype)) {
  if (UNGUARDED.has(name)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(SqliteStore.prototype, name);
  const method: unknown = descriptor?.value;
  if (typeof method !== 'function') continue;
  Object.defineProperty(SqliteStore.prototype, name, {
    ...descriptor,
    value: function guarded(this: SqliteStore, ...args: unknown[]): unknown {
      try {
        return (method as (...a: unknown[]) => unknown).apply(this, args);
      } catch (error) {
        throw toStoreError(error);
      }
    },
  });
}
