/**
 * A small typed query layer over `pg.Pool`: what PgStore, its sub-stores and the key-secret store query through.
 *
 * How to use it (a sub-store gets the store's `Db` in its constructor):
 *
 *   const rows = await db.rows<{ id: string; createdAt: number }>(
 *     'SELECT id, created_at AS "createdAt" FROM admins WHERE role = $1 ORDER BY created_at', [role]);
 *   const one = await db.row<{ n: number }>('SELECT count(*) AS n FROM admins');   // first row or undefined
 *   const changed = await db.run('UPDATE admins SET disabled_at = $1 WHERE id = $2', [at, id]); // rowCount
 *   await db.transaction(async () => { await db.run(…); await db.run(…); });
 *
 * - Placeholders are positional ($1, $2, …). Quote camelCase aliases (`AS "createdAt"`): PostgreSQL folds
 *   unquoted names to lower case. `undefined` is sent as NULL. A JS array is sent as a PostgreSQL array
 *   (`= ANY($1::text[])`); JSON/JSONB values go as `JSON.stringify(value)` text, and come back parsed.
 * - BIGINT (int8, also what `count(*)` returns) comes back as a JS number; a value beyond 2^53 throws rather
 *   than losing precision (ms times and identity ids stay far below it). NUMERIC (e.g. `sum(bigint)`) comes
 *   back as text: cast it (`sum(n)::bigint`).
 * - Inside `transaction(fn)` every call made from `fn`'s async context (however deep, in any module) runs on
 *   that transaction's connection, found through AsyncLocalStorage; a call made elsewhere meanwhile uses another
 *   pooled connection and does not see the uncommitted writes. A nested `transaction` is a SAVEPOINT: its throw
 *   undoes only its own writes. PostgreSQL aborts the whole transaction when a statement fails, so code that
 *   catches a store error and carries on in the same transaction must wrap the failing call in a nested
 *   `transaction` (exactly what SQLite code did not need). A transaction left aborted that way is not
 *   committed: the outer call rejects (storage_error) instead of pretending it committed.
 * - A routine transaction commits with `synchronous_commit = off` (like SQLite's synchronous=NORMAL: a crash
 *   may lose the last moments, never half a transaction); `{ durable: true }` waits for the WAL flush. A durable
 *   transaction nested in a routine one is caller misuse (TypeError), as in the SQLite store.
 * - Every failure leaves as a WardenError with a stable code (see `toPgStoreError`): conflict (unique),
 *   not_found (foreign key), invalid_input (check / not null / bad value), storage_error (unreachable,
 *   statement timeout, anything else; the SQL detail in `detail`, never in `message`).
 * - Statements are prepared once per connection (named by a hash of their text), so repeat them verbatim
 *   and keep values out of the SQL text.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { WardenError } from '../../../shared/errors';
import type { TransactionOptions } from '../store';
import { TransientStoreError } from '../transient-error';

export interface PgConnectionOptions {
  /** `postgres://user:password@host:port/database` (a password in it never appears in a message). */
  url: string;
  /** Pool size (connections to the database at most). Default 10. */
  poolMax?: number;
  /** `statement_timeout` of every pooled connection, ms. Default 10,000. */
  statementTimeoutMs?: number;
  /** How long connecting (or waiting for a free pooled connection) may take, ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Hears errors of idle connections (e.g. the server restarted); they are dropped from the pool either way. */
  onBackgroundError?: (message: string) => void;
}

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** A connection stuck inside a transaction (a hung instance) must not hold row locks forever. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;
const INT8_OID = 20;

/** int8 as a number when it is exactly representable: ids and ms times are; anything else is a fault. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`BIGINT ${text} is beyond 2^53 and cannot be read exactly`);
  return value;
}

const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** `host:port/database` of a connection URL, for messages: no user name, no password. */
export function describeUrl(url: string): string {
  const parsed = URL.parse(url);
  if (!parsed) return 'the configured database';
  const socket = parsed.searchParams.get('host');
  const host = parsed.hostname || socket || 'localhost';
  return `${host}:${parsed.port || '5432'}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : ''}`;
}

/** Node socket errors and PostgreSQL's connection-level SQLSTATEs: the connection is gone, not the statement wrong. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '53300']);

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
  // pg's own words when a socket closes or a connect times out (no code on these).
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i
    .test(error.message);
}

/**
 * A driver or server failure as a coded WardenError (anything already coded passes through). `where` names the
 * database (describeUrl) in the messages that an operator acts on.
 */
export function toPgStoreError(error: unknown, where = 'the database'): unknown {
  // Only the driver's and the server's failures are translated: anything else (a caller's own error thrown
  // through a transaction, a TypeError for misuse) passes through as it was.
  if (!(error instanceof pg.DatabaseError) && !isConnectionFailure(error)) return error;
  const failure = error as Error & { code?: unknown };
  const code = failure.code;
  const detail = `${typeof code === 'string' ? code : failure.name}: ${failure.message}`;
  if (isConnectionFailure(failure)) {
    return new WardenError('storage_error', `The database at ${where} could not be reached: ${failure.message}.`, { detail });
  }
  switch (code) {
    case '23505':
      return new WardenError('conflict', 'A record with the same key already exists.', { detail });
    case '23503':
      return new WardenError('not_found', 'A record it refers to does not exist.', { detail });
    case '23514': case '23502': case '22P02': case '22001': case '22003': case '22023': case '22007':
      return new WardenError('invalid_input', 'The store refused a malformed value.', { detail });
    case '57014':
      return new WardenError('storage_error', 'A database statement ran past the statement timeout and was cancelled.', { detail });
    // Another transaction won a conflict: nothing of this one was committed, and re-runnable work may run again.
    case '40001': case '40P01':
      return new TransientStoreError('The database is busy; try again.', detail);
    case '55P03':
      return new WardenError('storage_error', 'The database is busy; try again.', { detail });
    // Start-up refusals an operator acts on: the server's own words (they name the user or database, never the
    // password or a statement).
    case '28P01': case '28000':
      return new WardenError('storage_error', `The database at ${where} refused the login: ${failure.message}.`, { detail });
    case '3D000':
      return new WardenError('storage_error', `The database at ${where} does not exist: ${failure.message}.`, { detail });
    case '42501':
      return new WardenError('storage_error', `The database user lacks a permission: ${failure.message}.`, { detail });
    case '25P02':
      return new WardenError('storage_error', 'An earlier statement of this transaction failed, so PostgreSQL aborted it.', { detail });
    default:
      return new WardenError('storage_error', `The database could not complete the operation (${typeof code === 'string' ? code : 'no code'}).`, { detail });
  }
}

interface TxRoot {
  client: pg.PoolClient;
  durable: boolean;
  savepoints: number;
  /** Set when a statement failed or the connection broke: COMMIT would only roll back. */
  failed: boolean;
  /** Run once COMMIT has succeeded (a store's caches change only then); dropped on a rollback. */
  committed: (() => void)[];
}

interface TxContext {
  root: TxRoot;
  /** Nested transactions of this level run one after another (savepoints are a stack, not a set). */
  tail: Promise<unknown>;
  /** The transaction (or savepoint) has ended: a straggling call is a bug, not a new write. */
  ended: boolean;
}

export type SqlValue = string | number | boolean | null | undefined | readonly string[] | readonly (string | null)[] | readonly number[] | Buffer;

export class Db {
  readonly pool: pg.Pool;
  /** `host:port/database`, for messages. */
  readonly where: string;
  private readonly context = new AsyncLocalStorage<TxContext>();
  private readonly statementNames = new Map<string, string>();
  private closed = false;

  constructor(readonly options: PgConnectionOptions) {
    this.where = describeUrl(options.url);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? DEFAULT_POOL_MAX,
      statement_timeout: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: 'token-warden',
      keepAlive: true,
      types: TYPES,
    });
    const report = options.onBackgroundError ?? (() => {});
    // Without a listener an idle connection's error (server restart) would be an uncaught exception. The pool
    // drops that connection; the next query connects anew. A checked-out connection reports through its query.
    this.pool.on('error', (error) => report(`idle database connection failed: ${error.message}`));
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** Whether the caller runs inside one of this Db's transactions. */
  inTransaction(): boolean {
    const context = this.context.getStore();
    return context !== undefined && !context.ended;
  }

  /**
   * The outermost transaction the caller runs in (the same object for all its savepoints), or undefined: a key
   * for what a store remembers about one transaction (e.g. that it wrote a client row).
   */
  currentTransaction(): object | undefined {
    const context = this.context.getStore();
    return context !== undefined && !context.ended ? context.root : undefined;
  }

  /**
   * Runs `fn` once the caller's outermost transaction has committed (never if it rolls back); outside a
   * transaction at once. A throw from `fn` is not the transaction's: it is reported as a background error.
   */
  afterCommit(fn: () => void): void {
    const context = this.context.getStore();
    if (context !== undefined && !context.ended) context.root.committed.push(fn);
    else fn();
  }

  /** The rows of one statement. */
  async rows<R>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return (await this.execute(sql, params)).rows as R[];
  }

  /** The first row of one statement, or undefined. */
  async row<R>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return (await this.execute(sql, params)).rows[0] as R | undefined;
  }

  /** Runs one statement; returns how many rows it changed (or returned). */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.execute(sql, params)).rowCount ?? 0;
  }

  /** One statement on the current transaction's connection, or on any pooled one. */
  private async execute(sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    const query: pg.QueryConfig = { name: this.statementName(sql), text: sql, values: params as unknown[] };
    const context = this.context.getStore();
    if (context !== undefined) {
      if (context.ended) throw new TypeError('a query ran after its transaction ended (a promise escaped the transaction)');
      try {
        return await context.root.client.query(query);
      } catch (error) {
        context.root.failed = true;
        throw toPgStoreError(error, this.where);
      }
    }
    return this.withConnection((client) => client.query(query));
  }

  private statementName(sql: string): string {
    let name = this.statementNames.get(sql);
    if (name === undefined) {
      name = `tw_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
      this.statementNames.set(sql, name);
    }
    return name;
  }

  /**
   * Runs `fn` with a pooled connection of its own (outside any transaction), released after; a connection that
   * broke is destroyed instead, so the pool reconnects. Errors leave coded.
   */
  async withConnection<T>(fn: (client: pg.PoolClient, markBroken: () => void) => Promise<T>): Promise<T> {
    if (this.closed) throw new WardenError('storage_error', 'The store is closed.');
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toPgStoreError(error, this.where);
    }
    let broken: Error | undefined;
    const markBroken = () => {
      broken ??= new Error('connection failed');
    };
    try {
      return await fn(client, markBroken);
    } catch (error) {
      if (isConnectionFailure(error)) broken = error as Error;
      throw toPgStoreError(error, this.where);
    } finally {
      // A truthy argument destroys the connection instead of returning it to the pool.
      client.release(broken);
    }
  }

  /** See the header: one transaction, nested calls in savepoints. */
  async transaction<T>(fn: () => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const durable = options.durable === true;
    const current = this.context.getStore();
    if (current !== undefined && !current.ended) {
      if (durable && !current.root.durable) throw new TypeError('transaction(): a durable transaction cannot join a routine one');
      return this.nested(current, fn);
    }
    return this.withConnection(async (client, markBroken) => {
      const root: TxRoot = { client, durable, savepoints: 0, failed: false, committed: [] };
      const context: TxContext = { root, tail: Promise.resolve(), ended: false };
      // One round trip: BEGIN and the commit level travel as one simple query.
      await client.query(durable ? 'BEGIN' : 'BEGIN; SET LOCAL synchronous_commit = off');
      let result: T;
      try {
        result = await this.context.run(context, fn);
      } catch (error) {
        context.ended = true;
        // If the connection is gone, so is its transaction: destroy it and report the original error.
        await client.query('ROLLBACK').catch(markBroken);
        throw error;
      }
      context.ended = true;
      if (root.failed) {
        await client.query('ROLLBACK');
        throw new WardenError('storage_error', 'The transaction was rolled back: a statement in it failed (PostgreSQL aborts a transaction at its first failed statement).');
      }
      const commit = await client.query('COMMIT');
      // COMMIT of an aborted transaction answers ROLLBACK without an error.
      if (commit.command === 'ROLLBACK') throw new WardenError('storage_error', 'The transaction was rolled back by the database.');
      for (const fn of root.committed) {
        try {
          fn();
        } catch (error) {
          this.options.onBackgroundError?.(`an after-commit step failed: ${(error as Error).message}`);
        }
      }
      return result;
    });
  }

  private nested<T>(parent: TxContext, fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      if (parent.ended) throw new TypeError('transaction(): the enclosing transaction has ended');
      const { root } = parent;
      const name = `tw_sp_${++root.savepoints}`;
      await this.inside(parent, `SAVEPOINT ${name}`);
      const child: TxContext = { root, tail: Promise.resolve(), ended: false };
      let result: T;
      try {
        result = await this.context.run(child, fn);
      } catch (error) {
        child.ended = true;
        // Undo this level only; the transaction is usable again (unless the connection itself is gone).
        if (!isConnectionFailure(error)) {
          await this.inside(parent, `ROLLBACK TO SAVEPOINT ${name}`);
          await this.inside(parent, `RELEASE SAVEPOINT ${name}`);
          root.failed = false;
        }
        throw error;
      }
      child.ended = true;
      await this.inside(parent, `RELEASE SAVEPOINT ${name}`);
      return result;
    };
    const next = parent.tail.then(run, run);
    parent.tail = next.catch(() => {});
    return next;
  }

  /** A control statement (savepoints) on the transaction's connection, unnamed (not worth preparing). */
  private async inside(context: TxContext, sql: string): Promise<void> {
    try {
      await context.root.client.query(sql);
    } catch (error) {
      context.root.failed = true;
      throw toPgStoreError(error, this.where);
    }
  }

  /** Resolves when the database answers a trivial query on a pooled connection. */
  async ping(): Promise<void> {
    await this.withConnection((client) => client.query('SELECT 1'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
