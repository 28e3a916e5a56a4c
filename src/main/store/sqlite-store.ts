/**
 * `Store` on better-sqlite3. Columns are aliased to camelCase in SQL so rows come back in shape; every
 * statement is prepared once and cached; every query is served by an index (see migrations.ts and the
 * query-plan test). Open it through `openStore()` (./index.ts), which sets pragmas and migrates.
 */
import Database from 'better-sqlite3';
import type { AuditEntry, SessionStatus, UserStatus } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type {
  AccessTokenRow, LiveAccessTokenTally, RevokedSession, AuditFilter, AuditInsert, ClientRow, CounterName, NewClientRow, KeyRow, MinuteBucket, Page,
  Presenter, RefreshTokenRow, RevocationRow, SessionRow, Store, TransactionOptions, UserRow,
  StoreChanges,
} from './store';
import type { Checkpointer } from './checkpointer';
import { mapStatementErrors } from './sqlite-statement-errors';
import { TransactionScope, type Frame } from './transaction-scope';
import type { BackchannelOutboxStore } from './backchannel-outbox-store';
import { SqliteBackchannelOutboxStore } from './sqlite-backchannel-outbox-store';
import { SqliteBrowserSessionStore } from './sqlite-browser-session-store';
import { SqliteKeySecretStore } from './sqlite-key-secret-store';
import { SqliteCoordinationStore } from './sqlite-coordination-store';
import { SqliteSessionSearchStore } from './sqlite-session-search-store';
import { SqliteAdminStore } from './sqlite-admin-store';
import { SqliteAuditSearchStore } from './sqlite-audit-search-store';
import { SqliteAuditTailStore } from './sqlite-audit-tail-store';
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

/** One process owns a SQLite database: nobody else to tell (the StoreChanges contract, ./store.ts). */
const SINGLE_PROCESS_CHANGES: StoreChanges = { shared: false, announce: async () => {}, subscribe: () => () => {} };

export class SqliteStore implements Store {
  readonly changes: StoreChanges = SINGLE_PROCESS_CHANGES;
  readonly auditTail: SqliteAuditTailStore;
  private readonly statements = new Map<string, Database.Statement>();
  /** The open transaction and its savepoints (the isolation rule: ./transaction-scope.ts). */
  private readonly scope = new TransactionScope();
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
  readonly coordination = new SqliteCoordinationStore();

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
    this.backchannelOutbox = guarded(new SqliteBackchannelOutboxStore((sql) => this.q(sql)), this.scope);
    this.browserSessions = guarded(new SqliteBrowserSessionStore((sql) => this.q(sql)), this.scope);
    this.auditSearch = guarded(new SqliteAuditSearchStore((sql) => this.q(sql)), this.scope);
    this.auditTail = guarded(new SqliteAuditTailStore((sql) => this.q(sql)), this.scope);
    this.authorizationCodes = guarded(new SqliteAuthorizationCodeStore((sql) => this.q(sql)), this.scope);
    this.admins = guarded(new SqliteAdminStore((sql) => this.q(sql)), this.scope);
    this.clientSessions = guarded(new SqliteClientSessionStore((sql) => this.q(sql)), this.scope);
    this.tokenReach = guarded(new SqliteTokenReachStore((sql) => this.q(sql)), this.scope);
    this.sessionSearch = guarded(new SqliteSessionSearchStore((sql) => this.q(sql)), this.scope);
    this.userDirectory = guarded(new SqliteUserDirectoryStore((sql) => this.q(sql)), this.scope);
    this.keySecrets = guarded(new SqliteKeySecretStore((sql) => this.q(sql)), this.scope);
  }

  private q(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      try {
        statement = mapStatementErrors(this.db.prepare(sql));
      } catch (error) {
        throw toStoreError(error);
      }
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
   * and the error propagates; an outer caller may catch it and commit the rest. A throw that reaches the
   * outermost call rolls back everything. One connection serves everyone, so a call from outside the open
   * transaction (another request) waits until it ends (./transaction-scope.ts): it never sees uncommitted rows.
   * The statements themselves stay better-sqlite3's synchronous ones.
   */
  async transaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const durable = options.durable === true;
    for (let wait = this.scope.whenFree(); wait !== undefined; wait = this.scope.whenFree()) await wait;
    // From here to BEGIN/SAVEPOINT is one synchronous step: nothing else can open a transaction in between.
    const parent = this.scope.active;
    if (parent !== undefined) {
      if (durable && !this.durableOpen) throw new TypeError('transaction(): a durable transaction cannot join a routine one');
      return this.savepoint(parent, fn);
    }
    if (!this.open) throw new WardenError('storage_error', 'The store is closed.');
    // SQLite refuses to change the level inside a transaction ("Safety level may not be changed inside a
    // transaction"), so it is set before BEGIN and put back after the commit (or the rollback).
    if (durable) this.db.pragma('synchronous = FULL');
    this.durableOpen = durable;
    const frame = this.scope.enter(undefined);
    let level: number | undefined;
    let value: T;
    try {
      this.q('BEGIN IMMEDIATE').run();
      value = await this.scope.runIn(frame, fn);
      await this.settleInner(frame);
      // Read from SQLite inside the transaction, where it can no longer change: the level its commit uses.
      if (this.commitListeners.size > 0) level = this.db.pragma('synchronous', { simple: true }) as number;
      this.q('COMMIT').run();
    } catch (error) {
      await this.settleInner(frame);
      if (this.db.inTransaction) this.q('ROLLBACK').run();
      throw toStoreError(error);
    } finally {
      this.durableOpen = false;
      if (durable) this.db.pragma('synchronous = NORMAL');
      this.scope.leave(frame);
    }
    if (level !== undefined) {
      const commit = { synchronous: SYNCHRONOUS_LEVELS[level] ?? String(level) };
      for (const listener of this.commitListeners) listener(commit);
    }
    return value;
  }

  /** A nested transaction: a savepoint named by its depth (siblings never overlap: the second one waits). */
  private async savepoint<T>(parent: Frame, fn: () => Promise<T>): Promise<T> {
    const frame = this.scope.enter(parent);
    const name = `tw_${frame.depth}`;
    try {
      this.q(`SAVEPOINT ${name}`).run();
      const value = await this.scope.runIn(frame, fn);
      await this.settleInner(frame);
      this.q(`RELEASE ${name}`).run();
      return value;
    } catch (error) {
      await this.settleInner(frame);
      // A failure SQLite answered by rolling back the whole transaction leaves no savepoint to go back to.
      if (this.db.inTransaction) {
        this.q(`ROLLBACK TO ${name}`).run();
        this.q(`RELEASE ${name}`).run();
      }
      throw toStoreError(error);
    } finally {
      this.scope.leave(frame);
    }
  }

  /** Work that returned without awaiting a nested transaction of its own: that one ends first. */
  private async settleInner(frame: Frame): Promise<void> {
    for (let inner = this.scope.active; inner !== undefined && inner !== frame; inner = this.scope.active) await inner.done;
  }

  /**
   * Hears every committed outermost transaction with the `PRAGMA synchronous` level in force at its commit
   * (`normal`, `full`): how the tests check which kinds of transaction are durable. Not part of `Store`.
   */
  observeCommits(listener: (commit: { synchronous: string }) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Waits for the open transaction (if any) to end, then closes the connection. */
  async close(): Promise<void> {
    for (let wait = this.scope.whenFree(); wait !== undefined; wait = this.scope.whenFree()) await wait;
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

  /** Readiness: resolves when the database answers (a trivial statement, after any open transaction). */
  async ping(): Promise<void> {
    this.q('SELECT 1').get();
  }

  // users

  async insertUser(row: UserRow): Promise<void> {
    this.q(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, not_before,
      blocked_at, blocked_reason, failed_logins, locked_until, last_login_at) VALUES (@id, @username,
      @passwordHash, @status, @createdAt, @refreshVersion, @notBefore, @blockedAt, @blockedReason, @failedLogins,
      @lockedUntil, @lastLoginAt)`).run(row);
  }

  async getUser(id: string): Promise<UserRow | undefined> {
    return this.q(`SELECT ${USER} FROM users WHERE id = ?`).get(id) as UserRow | undefined;
  }

  async getUserByUsername(username: string): Promise<UserRow | undefined> {
    return this.q(`SELECT ${USER} FROM users WHERE username = ?`).get(username) as UserRow | undefined;
  }

  async updateUser(id: string, patch: Partial<Omit<UserRow, 'id' | 'username' | 'createdAt'>>): Promise<void> {
    this.patch('users', 'id', USER_PATCH, 'updateUser', id, patch);
  }

  async listUsers(query: { search?: string; status?: UserStatus; offset: number; limit: number }): Promise<Page<UserRow>> {
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

  async countUsers(): Promise<number> {
    return this.rowCount('users');
  }

  // clients

  async insertClient(row: NewClientRow): Promise<void> {
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

  async getClient(clientId: string): Promise<ClientRow | undefined> {
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
  async updateClient(clientId: string, patch: Partial<Omit<ClientRow, 'clientId' | 'kind' | 'createdAt'>>): Promise<void> {
    const json = (value: string[] | undefined) => (value === undefined ? undefined : JSON.stringify(value));
    this.patch('clients', 'client_id', CLIENT_PATCH, 'updateClient', clientId, {
      ...patch,
      redirectUris: json(patch.redirectUris),
      postLogoutRedirectUris: json(patch.postLogoutRedirectUris),
      grantTypes: json(patch.grantTypes),
    });
    this.clients.delete(clientId);
  }

  async listClients(): Promise<ClientRow[]> {
    return (this.q(`SELECT ${CLIENT} FROM clients ORDER BY created_at, rowid`).all() as RawClient[]).map(toClient);
  }

  // sessions

  async insertSession(row: SessionRow): Promise<void> {
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

  async getSession(id: string): Promise<SessionRow | undefined> {
    const row = this.q(`SELECT ${SESSION} FROM sessions WHERE id = ?`).get(id) as RawSession | undefined;
    return row && toSession(row);
  }

  async updateSession(id: string, patch: Partial<Pick<SessionRow, 'lastActivityAt' | 'idleExpiresAt' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'refreshCount'>>): Promise<void> {
    this.patch('sessions', 'id', SESSION_PATCH, 'updateSession', id, patch, {
      idleExpiresAt: 'live_until = MIN(@idleExpiresAt, absolute_expires_at)',
    });
  }

  async listActiveSessionsOfUser(userId: string, now: number): Promise<SessionRow[]> {
    const rows = this.q(`SELECT ${SESSION} FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND live_until > ?
      ORDER BY created_at, rowid`).all(userId, now) as RawSession[];
    return rows.map(toSession);
  }

  async endRefreshOfUserSessions(userId: string, at: number): Promise<number> {
    return this.q('UPDATE sessions SET refresh_ended_at = ? WHERE user_id = ? AND revoked_at IS NULL AND refresh_ended_at IS NULL')
      .run(at, userId).changes;
  }

  async listSessions(query: { userId?: string; status?: SessionStatus; now: number; offset: number; limit: number }): Promise<Page<SessionRow>> {
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
    else if (query.userId === undefined && query.status === 'active') total = this.countActive(query.now) - this.countCantRefresh(query.now);
    else if (query.userId === undefined && query.status === 'expired') {
      // Expired sessions pile up (nothing deletes them); count the few live ones and subtract instead.
      total = this.rowCount('sessions') - this.rowCount('sessions_revoked') - this.countActive(query.now);
    } else total = this.count(`SELECT count(*) AS n FROM sessions ${clause}`, params);
    return { items: rows.map(toSession), total };
  }

  async countActiveSessions(now: number): Promise<number> {
    return this.countActive(now);
  }

  /** Synchronous, so that listSessions reads its page and its total in one step (no other call between). */
  private countActive(now: number): number {
    return this.count('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL AND live_until > ?', [now]);
  }

  private countCantRefresh(now: number): number {
    return this.count(`SELECT count(*) AS n FROM sessions INDEXED BY sessions_cant_refresh
      WHERE revoked_at IS NULL AND refresh_ended_at IS NOT NULL AND live_until > ?`, [now]);
  }

  async countActiveSessionsOfUser(userId: string, now: number): Promise<number> {
    return this.count('SELECT count(*) AS n FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND live_until > ?', [userId, now]);
  }

  // refresh tokens

  async insertRefreshToken(row: RefreshTokenRow): Promise<void> {
    assertHash(row.hash, 'hash');
    if (row.successorHash !== null) assertHash(row.successorHash, 'successorHash');
    this.q(`INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at,
      successor_hash, revoked_at, used_ip, used_user_agent) VALUES (@hash, @sessionId, @userId, @clientId,
      @refreshVersion, @createdAt, @usedAt, @successorHash, @revokedAt, @usedIp, @usedUserAgent)`).run(row);
  }

  async getRefreshToken(hash: string): Promise<RefreshTokenRow | undefined> {
    return this.q(`SELECT ${REFRESH} FROM refresh_tokens WHERE hash = ?`).get(hash) as RefreshTokenRow | undefined;
  }

  async getRefreshGrant(hash: string): Promise<{ token: RefreshTokenRow; session: SessionRow; user: UserRow } | undefined> {
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

  async markRefreshTokenUsed(hash: string, usedAt: number, successorHash: string, presenter?: Presenter): Promise<boolean> {
    assertHash(successorHash, 'successorHash');
    // Compare-and-set: of two racing refreshes only one sees `used_at IS NULL`.
    const result = this.q(`UPDATE refresh_tokens SET used_at = ?, successor_hash = ?, used_ip = ?, used_user_agent = ?
      WHERE hash = ? AND used_at IS NULL`).run(usedAt, successorHash, presenter?.ip ?? null, presenter?.userAgent ?? null, hash);
    return result.changes === 1;
  }

  async revokeRefreshToken(hash: string, at: number): Promise<boolean> {
    return this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL').run(at, hash).changes === 1;
  }

  async revokeSessions(sessionIds: string[], revocation: { at: number; by: string; reason: string }): Promise<RevokedSession[]> {
    const revoked: RevokedSession[] = [];
    const mark = this.q('UPDATE sessions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL');
    for (const sessionId of new Set(sessionIds)) {
      if (mark.run(revocation.at, revocation.by, revocation.reason, sessionId).changes === 0) continue;
      revoked.push({ sessionId, refreshTokens: await this.revokeRefreshTokensOfSession(sessionId, revocation.at) });
    }
    return revoked;
  }

  async revokeRefreshTokensOfSession(sessionId: string, at: number): Promise<number> {
    // As PgStore: through the user's current tokens (refresh_tokens_user_current), not the session's whole chain.
    return this.q(`UPDATE refresh_tokens SET revoked_at = ?
      WHERE user_id = (SELECT user_id FROM sessions WHERE id = ?) AND session_id = ? AND revoked_at IS NULL AND used_at IS NULL`).run(at, sessionId, sessionId).changes;
  }

  async revokeRefreshTokensOfUser(userId: string, at: number): Promise<number> {
    return this.q('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND used_at IS NULL')
      .run(at, userId).changes;
  }

  async listRefreshTokensOfSession(sessionId: string): Promise<RefreshTokenRow[]> {
    return this.q(`SELECT ${REFRESH} FROM refresh_tokens WHERE session_id = ? ORDER BY created_at, rowid`).all(sessionId) as RefreshTokenRow[];
  }

  // access tokens

  async insertAccessToken(row: AccessTokenRow): Promise<void> {
    this.q(`INSERT INTO access_tokens (jti, session_id, user_id, client_id, kid, issued_at, expires_at)
      VALUES (@jti, @sessionId, @userId, @clientId, @kid, @issuedAt, @expiresAt)`).run(row);
  }

  async getAccessToken(jti: string): Promise<AccessTokenRow | undefined> {
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE jti = ?`).get(jti) as AccessTokenRow | undefined;
  }

  /** Newest first. */
  async listAccessTokensOfSession(sessionId: string, limit: number): Promise<AccessTokenRow[]> {
    assertCount(limit, 'limit');
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id = ? ORDER BY issued_at DESC, rowid DESC LIMIT ?`)
      .all(sessionId, limit) as AccessTokenRow[];
  }

  /** Oldest first. */
  async listLiveAccessTokensOfSessions(sessionIds: string[], now: number): Promise<AccessTokenRow[]> {
    if (sessionIds.length === 0) return [];
    // One statement for any number of ids: the list travels as a JSON array.
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id IN (SELECT value FROM json_each(?))
      AND expires_at > ? ORDER BY issued_at, rowid`).all(JSON.stringify(sessionIds), now) as AccessTokenRow[];
  }

  /** Oldest first. Through the user's sessions: a token's user is always its session's (see migration 3). */
  async listLiveAccessTokensOfUser(userId: string, now: number): Promise<AccessTokenRow[]> {
    return this.q(`SELECT ${ACCESS} FROM access_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)
      AND expires_at > ? ORDER BY issued_at, rowid`).all(userId, now) as AccessTokenRow[];
  }

  async tallyLiveAccessTokensOfUser(userId: string, now: number): Promise<LiveAccessTokenTally[]> {
    return this.q(`SELECT session_id AS sessionId, count(*) AS count, max(expires_at) AS latestExpiresAt FROM access_tokens
      WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?) AND expires_at > ? GROUP BY session_id`).all(userId, now) as LiveAccessTokenTally[];
  }

  async countLiveAccessTokensByKid(kid: string, now: number): Promise<number> {
    return this.count('SELECT count(*) AS n FROM access_tokens WHERE kid = ? AND expires_at > ?', [kid, now]);
  }

  async purgeAccessTokens(before: number): Promise<number> {
    return this.q('DELETE FROM access_tokens WHERE expires_at < ?').run(before).changes;
  }

  // revocations

  async insertRevocation(row: Omit<RevocationRow, 'id'>): Promise<number> {
    const result = this.q(`INSERT INTO revocations (kind, subject, user_id, not_before, expires_at, created_at, actor,
      reason) VALUES (@kind, @subject, @userId, @notBefore, @expiresAt, @createdAt, @actor, @reason)`).run(row);
    return Number(result.lastInsertRowid);
  }

  async isJtiRevoked(jti: string): Promise<boolean> {
    return this.q("SELECT 1 FROM revocations WHERE kind = 'jti' AND subject = ? LIMIT 1").get(jti) !== undefined;
  }

  async listRevocationsAfter(afterId: number, limit: number): Promise<RevocationRow[]> {
    assertCount(limit, 'limit');
    return this.q(`SELECT ${REVOCATION} FROM revocations WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as RevocationRow[];
  }

  async lastRevocationId(): Promise<number> {
    // sqlite_sequence holds the highest id ever handed out, which survives purging the newest rows.
    const row = this.q("SELECT seq FROM sqlite_sequence WHERE name = 'revocations'").get() as { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  async purgeRevocations(before: number): Promise<number> {
    // Pinned: the planner would otherwise walk every jti row through the (kind, subject) index.
    return this.q("DELETE FROM revocations INDEXED BY revocations_jti_expiry WHERE kind = 'jti' AND expires_at < ?").run(before).changes;
  }

  // signing keys

  async insertKey(row: KeyRow): Promise<void> {
    this.q(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at)
      VALUES (@kid, @alg, @publicJwk, @status, @createdAt, @retiringSince, @retiresAt, @revokedAt)`).run(row);
  }

  async getKey(kid: string): Promise<KeyRow | undefined> {
    return this.q(`SELECT ${KEY} FROM signing_keys WHERE kid = ?`).get(kid) as KeyRow | undefined;
  }

  async updateKey(kid: string, patch: Partial<Pick<KeyRow, 'status' | 'retiringSince' | 'retiresAt' | 'revokedAt'>>): Promise<void> {
    this.patch('signing_keys', 'kid', KEY_PATCH, 'updateKey', kid, patch);
  }

  async listKeys(): Promise<KeyRow[]> {
    return this.q(`SELECT ${KEY} FROM signing_keys ORDER BY created_at, rowid`).all() as KeyRow[];
  }

  // audit

  async appendAudit(entry: AuditInsert & { prevHash: string; hash: string }): Promise<number> {
    const result = this.q(`INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      VALUES (@at, @type, @actor, @userId, @sessionId, @reason, @data, @prevHash, @hash)`).run({
      at: entry.at, type: entry.type, actor: entry.actor, userId: entry.userId, sessionId: entry.sessionId,
      reason: entry.reason, data: JSON.stringify(entry.data), prevHash: entry.prevHash, hash: entry.hash,
    });
    return Number(result.lastInsertRowid);
  }

  async appendAudits(entries: Array<AuditInsert & { prevHash: string; hash: string }>): Promise<number[]> {
    const seqs: number[] = [];
    for (const entry of entries) seqs.push(await this.appendAudit(entry));
    return seqs;
  }

  async lastAudit(): Promise<AuditEntry | undefined> {
    const row = this.q(`SELECT ${AUDIT} FROM audit ORDER BY seq DESC LIMIT 1`).get() as RawAudit | undefined;
    return row && toAudit(row);
  }

  /** Newest first; `since`/`until` are inclusive bounds on `at`, `beforeSeq` is exclusive. */
  async listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
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

  async *iterateAudit(batchSize: number): AsyncIterableIterator<AuditEntry> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer');
    // Keyset pages (seq > last) rather than one open cursor: the connection stays free for writes between
    // batches, and no page costs more than its own rows.
    let after = 0;
    for (;;) {
      let rows: RawAudit[];
      // Each batch obeys the isolation rule on its own: a verification never reads an open transaction's rows.
      for (let wait = this.scope.whenFree(); wait !== undefined; wait = this.scope.whenFree()) await wait;
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

  async getSetting(key: string): Promise<string | undefined> {
    return (this.q('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    this.q('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async incrementCounter(name: CounterName, by: number, at: number): Promise<void> {
    const column = BUCKET_COLUMN[name];
    if (column === undefined) throw new TypeError(`unknown counter "${String(name)}"`);
    if (!Number.isSafeInteger(by)) throw new TypeError('by must be an integer');
    const write = () => {
      this.q('UPDATE counters SET value = value + ? WHERE name = ?').run(by, name);
      if (column === null) return;
      const minute = Math.floor(at / 60_000) * 60_000;
      this.q(`INSERT INTO minute_buckets (minute, ${column}) VALUES (?, ?)
        ON CONFLICT (minute) DO UPDATE SET ${column} = ${column} + excluded.${column}`).run(minute, by);
    };
    // Inside a transaction (the engine's every unit) its two statements are atomic already: no savepoint needed.
    if (this.db.inTransaction) write();
    else await this.transaction(async () => write());
  }

  async getCounters(): Promise<Record<CounterName, number>> {
    const counters: Record<CounterName, number> = { tokens_issued: 0, refreshes: 0, revocations: 0, reuse_alerts: 0 };
    for (const row of this.q('SELECT name, value FROM counters').all() as { name: CounterName; value: number }[]) {
      if (row.name in counters) counters[row.name] = row.value;
    }
    return counters;
  }

  async listMinuteBuckets(since: number): Promise<MinuteBucket[]> {
    return this.q('SELECT minute, issued, refreshed, revoked FROM minute_buckets WHERE minute >= ? ORDER BY minute')
      .all(since) as MinuteBucket[];
  }

  // diagnostics (not part of Store)

  /** The transaction scope its sub-stores share (they use the same connection). */
  scopeOf(): TransactionScope {
    return this.scope;
  }

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

// Every public method obeys the isolation rule (a call from outside the open transaction waits for it to end,
// ./transaction-scope.ts) and reports SQLite failures as coded WardenErrors (iterateAudit does both per batch,
// since a generator's body runs after the call returns). Wrapping the prototype once keeps each method plain.
const UNGUARDED = new Set(['constructor', 'iterateAudit', 'transaction', 'savepoint', 'settleInner', 'close', 'q', 'patch', 'count',
  'rowCount', 'countActive', 'countCantRefresh', 'instanceId', 'observeCommits', 'preparedSql', 'queryPlan']);
guardMethods(SqliteStore.prototype, UNGUARDED, (store) => store.scopeOf());

/** A sub-store on this connection: its async methods are guarded the same way, against the same scope. */
function guarded<S extends object>(subStore: S, scope: TransactionScope): S {
  const prototype = Object.getPrototypeOf(subStore) as S;
  if (!guardedPrototypes.has(prototype)) {
    guardedPrototypes.add(prototype);
    guardMethods(prototype, new Set(['constructor']), (self) => scopes.get(self)!);
  }
  scopes.set(subStore, scope);
  return subStore;
}
const guardedPrototypes = new WeakSet<object>();
const scopes = new WeakMap<object, TransactionScope>();

/**
 * Wraps each async method of `prototype` (a store or a sub-store): it waits while `scopeOf(this)` says the call
 * may not use the connection, then runs it in the same synchronous step as that check (its SQLite failures
 * are mapped to coded errors by the statements themselves: ./sqlite-statement-errors).
 */
export function guardMethods<S extends object>(prototype: S, skip: ReadonlySet<string>, scopeOf: (self: S) => TransactionScope): void {
  for (const name of Object.getOwnPropertyNames(prototype)) {
    if (skip.has(name)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    const method: unknown = descriptor?.value;
    // Only the async methods (the contract's); private synchronous helpers stay as they are.
    if (typeof method !== 'function' || method.constructor.name !== 'AsyncFunction') continue;
    const run = method as (...a: unknown[]) => Promise<unknown>;
    const waitThenRun = async (self: S, scope: TransactionScope, args: unknown[]): Promise<unknown> => {
      for (let wait = scope.whenFree(); wait !== undefined; wait = scope.whenFree()) await wait;
      return run.apply(self, args);
    };
    Object.defineProperty(prototype, name, {
      ...descriptor,
      // Not an async function itself: on the common path (no transaction to wait for) the statement runs at
      // once and the caller gets the method's own promise, nothing more (the refresh path makes a dozen of these
      // calls; each extra promise and tick shows in its figure). SQLite failures are mapped in the statement
      // call (./sqlite-statement-errors), so no `.catch` is needed here.
      value: function guarded(this: S, ...args: unknown[]): Promise<unknown> {
        const scope = scopeOf(this);
        return scope.whenFree() === undefined ? run.apply(this, args) : waitThenRun(this, scope, args);
      },
    });
  }
}
