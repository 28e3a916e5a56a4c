/**
 * `Store` on PostgreSQL (node-postgres pool; see ./db.ts for transactions and errors, ./migrations.ts for the
 * schema). Same semantics as SqliteStore (../sqlite-store.ts): same orderings (ties broken by `ord`, the insertion
 * order SQLite's rowid gave), same limits, "active at now" = not revoked and live_until > now. Written against the
 * asynchronous boundary (../store.ts). The core rows live here; tallies in ./pg-tallies.ts; tokens,
 * revocations, keys and audit in ./pg-store-tokens.ts; sub-stores in their own files (wired in ./pg-sub-stores.ts).
 */
import { randomBytes } from 'node:crypto';
import type { SessionStatus, UserStatus } from '../../../shared/dto';
import { WardenError } from '../../../shared/errors';
import type {
  ClientRow, CounterName, MinuteBucket, NewClientRow, Page, SessionRow, Store, TransactionOptions, UserRow,
} from '../store';
import { Db, describeUrl, type PgConnectionOptions, type SqlValue } from './db';
import { PG_MIGRATIONS, type PgMigration } from './migrations';
import { runMigrations } from './migration-runner';
import { CLIENT_COLUMNS, SESSION_COLUMNS, USER_COLUMNS, assertCount, likePrefix, patchRow, selectList } from './pg-columns';
import * as tallies from './pg-tallies';
import { PgTokenRows } from './pg-store-tokens';
import { PgChanges } from './pg-changes';
import { subStoresOf, type PgSubStores } from './pg-sub-stores';
import { PgClientCache } from './pg-client-cache';

export interface PgStoreOptions {
  url: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  onBackgroundError?: (message: string) => void;
  /** Tests only: another migration list (e.g. to stand for a newer build). */
  migrations?: readonly PgMigration[];
}

/** How often deltas are folded into tallies (reads are exact either way; folding keeps them short). */
const FOLD_INTERVAL_MS = 5_000;
/** A timer firing a little early still claims its period (../coordination-store.ts claimRun). */
const FOLD_CLAIM_MS = FOLD_INTERVAL_MS * 0.9;

const USER = selectList(USER_COLUMNS);
const CLIENT = selectList(CLIENT_COLUMNS);
const SESSION = selectList(SESSION_COLUMNS);

const USER_PATCH: Record<string, string> = { ...USER_COLUMNS };
for (const fixed of ['id', 'username', 'createdAt']) delete USER_PATCH[fixed];
const CLIENT_PATCH: Record<string, string> = { ...CLIENT_COLUMNS };
for (const fixed of ['clientId', 'kind', 'createdAt']) delete CLIENT_PATCH[fixed];
const SESSION_PATCH: Record<string, string> = {
  lastActivityAt: 'last_activity_at', idleExpiresAt: 'idle_expires_at', revokedAt: 'revoked_at',
  revokedBy: 'revoked_by', revokeReason: 'revoke_reason', refreshCount: 'refresh_count',
};

/** Each status as a condition at `now` (bound on demand: `revoked` does not need it). */
const SESSION_STATUS: Record<SessionStatus, (now: () => string) => string> = {
  active: (now) => `revoked_at IS NULL AND live_until > ${now()} AND refresh_ended_at IS NULL`,
  cant_refresh: (now) => `revoked_at IS NULL AND live_until > ${now()} AND refresh_ended_at IS NOT NULL`,
  expired: (now) => `revoked_at IS NULL AND live_until <= ${now()}`,
  revoked: () => 'revoked_at IS NOT NULL',
};

/** Appends a value to `params` and returns its placeholder. */
function bind(params: SqlValue[], value: SqlValue): string {
  params.push(value);
  return `$${params.length}`;
}

const json = (value: string[] | undefined): string | undefined => (value === undefined ? undefined : JSON.stringify(value));

export class PgStore extends PgTokenRows implements Store {
  private readonly foldTimer: NodeJS.Timeout;
  private readonly subStores: PgSubStores;
  /** Several instances may share this database: they signal each other here (./pg-changes.ts). */
  readonly changes: PgChanges;
  /** Committed client rows, dropped deployment-wide on every client change (./pg-client-cache.ts). */
  readonly clientCache: PgClientCache;

  constructor(db: Db, private readonly id: string, readonly migrationsApplied: readonly number[], changes: PgChanges) {
    super(db);
    this.changes = changes;
    this.clientCache = new PgClientCache(db, changes);
    this.subStores = subStoresOf(db);
    this.foldTimer = setInterval(() => {
      // Background upkeep: a failure (database away) is retried next time; reads stay exact without it. Once
      // per interval for the whole deployment: the instance whose timer claims the period folds.
      if (this.db.inTransaction()) return;
      this.subStores.coordination.claimRun('tally-fold', FOLD_CLAIM_MS)
        .then((claimed) => (claimed ? tallies.fold(this.db) : 0))
        .catch(() => {});
    }, FOLD_INTERVAL_MS);
    this.foldTimer.unref();
  }

  get backchannelOutbox(): PgSubStores['backchannelOutbox'] { return this.subStores.backchannelOutbox; }
  get browserSessions(): PgSubStores['browserSessions'] { return this.subStores.browserSessions; }
  get auditSearch(): PgSubStores['auditSearch'] { return this.subStores.auditSearch; }
  get auditTail(): PgSubStores['auditTail'] { return this.subStores.auditTail; }
  get authorizationCodes(): PgSubStores['authorizationCodes'] { return this.subStores.authorizationCodes; }
  get admins(): PgSubStores['admins'] { return this.subStores.admins; }
  get clientSessions(): PgSubStores['clientSessions'] { return this.subStores.clientSessions; }
  get tokenReach(): PgSubStores['tokenReach'] { return this.subStores.tokenReach; }
  get sessionSearch(): PgSubStores['sessionSearch'] { return this.subStores.sessionSearch; }
  get userDirectory(): PgSubStores['userDirectory'] { return this.subStores.userDirectory; }
  get keySecrets(): PgSubStores['keySecrets'] { return this.subStores.keySecrets; }
  get coordination(): PgSubStores['coordination'] { return this.subStores.coordination; }

  /** The query layer, for diagnostics and tests (the pool's size, a statement outside the Store methods). */
  get database(): Db {
    return this.db;
  }

  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T> {
    return this.db.transaction(fn, options);
  }

  async close(): Promise<void> {
    clearInterval(this.foldTimer);
    await this.changes.close();
    await this.db.close();
  }

  ping(): Promise<void> {
    return this.db.ping();
  }

  instanceId(): string {
    return this.id;
  }

  /** Folds pending counter deltas now (the timer does it every few seconds); returns how many it moved. */
  foldTallies(): Promise<number> {
    return tallies.fold(this.db);
  }

  // users

  async insertUser(row: UserRow): Promise<void> {
    await this.db.run(`INSERT INTO users (id, username, password_hash, status, created_at, refresh_version, not_before,
      blocked_at, blocked_reason, failed_logins, locked_until, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [row.id, row.username, row.passwordHash, row.status, row.createdAt, row.refreshVersion, row.notBefore, row.blockedAt,
      row.blockedReason, row.failedLogins, row.lockedUntil, row.lastLoginAt]);
  }

  getUser(id: string): Promise<UserRow | undefined> {
    return this.db.row<UserRow>(`SELECT ${USER} FROM users WHERE id = $1`, [id]);
  }

  getUserByUsername(username: string): Promise<UserRow | undefined> {
    // Exact name, regardless of case (SQLite's COLLATE NOCASE; the unique index is on lower(username)).
    return this.db.row<UserRow>(`SELECT ${USER} FROM users WHERE lower(username) = lower($1)`, [username]);
  }

  updateUser(id: string, patch: Partial<Omit<UserRow, 'id' | 'username' | 'createdAt'>>): Promise<void> {
    return patchRow(this.db, 'users', 'id', USER_PATCH, 'updateUser', id, patch);
  }

  async listUsers(query: { search?: string; status?: UserStatus; offset: number; limit: number }): Promise<Page<UserRow>> {
    assertCount(query.offset, 'offset');
    assertCount(query.limit, 'limit');
    if (query.status !== undefined && query.status !== 'active' && query.status !== 'blocked') {
      throw new TypeError('listUsers: unknown status');
    }
    const params: SqlValue[] = [];
    const where: string[] = [];
    if (query.search) where.push(`lower(username) LIKE ${bind(params, likePrefix(query.search.toLowerCase()))} ESCAPE '\\'`);
    if (query.status) where.push(`status = ${bind(params, query.status)}`);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    let total: number;
    if (query.search) {
      total = (await this.db.row<{ n: number }>(`SELECT count(*) AS n FROM users ${clause}`, params))?.n ?? 0;
      if (total <= query.offset || query.limit === 0) return { items: [], total };
    } else {
      const [all, blocked] = await Promise.all([tallies.rowCount(this.db, 'users'), tallies.rowCount(this.db, 'users_blocked')]);
      total = query.status === 'blocked' ? blocked : query.status === 'active' ? all - blocked : all;
    }
    const items = await this.db.rows<UserRow>(`SELECT ${USER} FROM users ${clause} ORDER BY created_at DESC, ord DESC
      LIMIT ${bind(params, query.limit)} OFFSET ${bind(params, query.offset)}`, params);
    return { items, total };
  }

  countUsers(): Promise<number> {
    return tallies.rowCount(this.db, 'users');
  }

  // clients (cached; every write announces 'clients' so that every instance drops its cache: ./pg-client-cache.ts)

  async insertClient(row: NewClientRow): Promise<void> {
    await this.clientCache.write(() => this.db.run(`INSERT INTO clients (client_id, kind, name, secret_hash, created_at, redirect_uris, post_logout_redirect_uris,
      backchannel_logout_uri, grant_types, id_token_signed_response_alg, updated_at, access_token_ttl_seconds,
      refresh_idle_seconds, refresh_absolute_seconds) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [row.clientId, row.kind, row.name, row.secretHash, row.createdAt, JSON.stringify(row.redirectUris),
      JSON.stringify(row.postLogoutRedirectUris), row.backchannelLogoutUri, JSON.stringify(row.grantTypes),
      row.idTokenSignedResponseAlg, row.updatedAt, row.accessTokenTtlSeconds ?? null, row.refreshIdleSeconds ?? null,
      row.refreshAbsoluteSeconds ?? null]));
  }

  /**
   * Frozen, as SqliteStore's (which serves committed clients from a cache): a caller that mutates a client row
   * fails the same way on both stores instead of only on SQLite.
   */
  getClient(clientId: string): Promise<ClientRow | undefined> {
    return this.clientCache.get(clientId, async () => {
      const row = await this.db.row<ClientRow>(`SELECT ${CLIENT} FROM clients WHERE client_id = $1`, [clientId]);
      return row && Object.freeze(row);
    });
  }

  updateClient(clientId: string, patch: Partial<Omit<ClientRow, 'clientId' | 'kind' | 'createdAt'>>): Promise<void> {
    return this.clientCache.write(() => patchRow(this.db, 'clients', 'client_id', CLIENT_PATCH, 'updateClient', clientId, {
      ...patch,
      redirectUris: json(patch.redirectUris),
      postLogoutRedirectUris: json(patch.postLogoutRedirectUris),
      grantTypes: json(patch.grantTypes),
    }));
  }

  listClients(): Promise<ClientRow[]> {
    return this.db.rows<ClientRow>(`SELECT ${CLIENT} FROM clients ORDER BY created_at, ord`);
  }

  // sessions

  async insertSession(row: SessionRow): Promise<void> {
    await this.db.run(`INSERT INTO sessions (id, user_id, client_id, device_name, user_agent, ip, remember_me, scope, created_at,
      last_activity_at, idle_expires_at, absolute_expires_at, revoked_at, revoked_by, revoke_reason, refresh_count,
      browser_session_id, refresh_ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [row.id, row.userId, row.clientId, row.deviceName, row.userAgent, row.ip, row.rememberMe, row.scope, row.createdAt,
      row.lastActivityAt, row.idleExpiresAt, row.absoluteExpiresAt, row.revokedAt, row.revokedBy, row.revokeReason,
      row.refreshCount, row.browserSessionId, row.refreshEndedAt]);
  }

  getSession(id: string): Promise<SessionRow | undefined> {
    return this.db.row<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE id = $1`, [id]);
  }

  updateSession(id: string, patch: Partial<Pick<SessionRow, 'lastActivityAt' | 'idleExpiresAt' | 'revokedAt' | 'revokedBy' | 'revokeReason' | 'refreshCount'>>): Promise<void> {
    // live_until is generated from the expiries: nothing to keep in step here.
    return patchRow(this.db, 'sessions', 'id', SESSION_PATCH, 'updateSession', id, patch);
  }

  listActiveSessionsOfUser(userId: string, now: number): Promise<SessionRow[]> {
    return this.db.rows<SessionRow>(`SELECT ${SESSION} FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND live_until > $2
      ORDER BY created_at, ord`, [userId, now]);
  }

  endRefreshOfUserSessions(userId: string, at: number): Promise<number> {
    return this.db.run('UPDATE sessions SET refresh_ended_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND refresh_ended_at IS NULL',
      [at, userId]);
  }

  async listSessions(query: { userId?: string; status?: SessionStatus; now: number; offset: number; limit: number }): Promise<Page<SessionRow>> {
    assertCount(query.offset, 'offset');
    assertCount(query.limit, 'limit');
    const status = query.status === undefined ? undefined : SESSION_STATUS[query.status];
    if (query.status !== undefined && status === undefined) throw new TypeError('listSessions: unknown status');
    const params: SqlValue[] = [];
    const where: string[] = [];
    if (query.userId !== undefined) where.push(`user_id = ${bind(params, query.userId)}`);
    if (status !== undefined) where.push(status(() => bind(params, query.now)));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const filtered = [...params];
    const items = await this.db.rows<SessionRow>(`SELECT ${SESSION} FROM sessions ${clause} ORDER BY last_activity_at DESC, ord DESC
      LIMIT ${bind(params, query.limit)} OFFSET ${bind(params, query.offset)}`, params);
    let total: number;
    const count = (name: tallies.RowCountName) => tallies.rowCount(this.db, name);
    if (query.userId === undefined && query.status === undefined) total = await count('sessions');
    else if (query.userId === undefined && query.status === 'revoked') total = await count('sessions_revoked');
    else if (query.userId === undefined && query.status === 'active') {
      total = (await this.countActiveSessions(query.now)) - (await this.countCantRefresh(query.now));
    } else if (query.userId === undefined && query.status === 'expired') {
      // Expired sessions pile up (nothing deletes them); count the few live ones and subtract instead.
      total = (await count('sessions')) - (await count('sessions_revoked')) - (await this.countActiveSessions(query.now));
    } else {
      total = (await this.db.row<{ n: number }>(`SELECT count(*) AS n FROM sessions ${clause}`, filtered))?.n ?? 0;
    }
    return { items, total };
  }

  async countActiveSessions(now: number): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE revoked_at IS NULL AND live_until > $1', [now]))?.n ?? 0;
  }

  private async countCantRefresh(now: number): Promise<number> {
    return (await this.db.row<{ n: number }>(`SELECT count(*) AS n FROM sessions
      WHERE revoked_at IS NULL AND refresh_ended_at IS NOT NULL AND live_until > $1`, [now]))?.n ?? 0;
  }

  async countActiveSessionsOfUser(userId: string, now: number): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT count(*) AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND live_until > $2',
      [userId, now]))?.n ?? 0;
  }

  // settings and counters

  async getSetting(key: string): Promise<string | undefined> {
    return (await this.db.row<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await this.db.run('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  incrementCounter(name: CounterName, by: number, at: number): Promise<void> {
    return tallies.incrementCounter(this.db, name, by, at);
  }

  getCounters(): Promise<Record<CounterName, number>> {
    return tallies.getCounters(this.db);
  }

  listMinuteBuckets(since: number): Promise<MinuteBucket[]> {
    return tallies.listMinuteBuckets(this.db, since);
  }
}

async function readOrCreateInstanceId(db: Db): Promise<string> {
  // ON CONFLICT: when several instances open a fresh database at once, the first id written is everyone's.
  await db.run("INSERT INTO meta (key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING", [randomBytes(16).toString('hex')]);
  const row = await db.row<{ value: string }>("SELECT value FROM meta WHERE key = 'instance_id'");
  if (!row) throw new WardenError('storage_error', 'The database lost its instance id while opening.');
  return row.value;
}

/**
 * Opens the PostgreSQL store at `url`: migrates under the advisory lock, then opens the pool.
 * @throws WardenError `invalid_input` (not a postgres:// URL), `schema_too_new`, `storage_error` (unreachable,
 * with the cause; a database that is not ours). Nothing is written in those cases.
 */
export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  if (!/^postgres(ql)?:\/\//i.test(options.url)) {
    throw new WardenError('invalid_input', 'The database URL must start with postgres:// or postgresql://.');
  }
  const where = describeUrl(options.url);
  // Several instances may open one database at once: the migration runner's advisory lock makes one migrate.
  const applied = await runMigrations(options.url, where, options.migrations ?? PG_MIGRATIONS, options.connectTimeoutMs);
  const connection: PgConnectionOptions = {
    url: options.url, poolMax: options.poolMax, statementTimeoutMs: options.statementTimeoutMs,
    connectTimeoutMs: options.connectTimeoutMs, onBackgroundError: options.onBackgroundError,
  };
  const db = new Db(connection);
  let changes: PgChanges | undefined;
  try {
    const id = await readOrCreateInstanceId(db);
    changes = await PgChanges.open(db, { url: options.url, connectTimeoutMs: options.connectTimeoutMs, onBackgroundError: options.onBackgroundError });
    return new PgStore(db, id, applied, changes);
  } catch (error) {
    await changes?.close();
    await db.close().catch(() => {});
    throw error;
  }
}
