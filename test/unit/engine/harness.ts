/**
 * A real engine on a real store, a memory vault and a frozen clock. The store is a SQLite file in a temp dir, or,
 * in the `engine-postgres` project (vitest.config.ts sets TW_ENGINE_STORE=postgres), a PgStore on a database of
 * its own, cloned from the run's migrated template (test/helpers/postgres.ts). Cases about SQLite itself use
 * `itSqliteOnly(reason)`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, describe, it, type TestFunction } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { Engine } from '../../../src/main/engine/engine';
import type { DeviceInfo, TokenSet } from '../../../src/main/engine/types';
import { MemoryVault } from '../../../src/main/keys/memory-vault';
import { openStore } from '../../../src/main/store';
import { openPgStore } from '../../../src/main/store/pg/pg-store';
import type { Store } from '../../../src/main/store/store';
import { dropDatabase, migratedDatabase } from '../../helpers/postgres';
import { WardenError, type ErrorCode } from '../../../src/shared/errors';
import type { Settings, SigningAlg } from '../../../src/shared/dto';

export const ISSUER = 'http://127.0.0.1:7777';
export const PHONE: DeviceInfo = { name: "Ana's phone", userAgent: 'WardenDemo/1.0 (iPhone)', ip: '127.0.0.2' };
export const LAPTOP: DeviceInfo = { name: 'Firefox on Linux', userAgent: 'Mozilla/5.0 Firefox/140', ip: '127.0.0.3' };
export const ADMIN = { actor: 'admin:test', role: 'owner' as const, adminId: null };
/** A caller with another role; roles are enforced by dispatchAdmin, so call through it to see a refusal. */
export const asRole = (role: 'viewer' | 'operator' | 'owner', actor = `admin:${role}`) => ({ actor, role, adminId: null });
export const PASSWORD = 'correct horse battery';

/** The store the engine suites run on in this pass. */
export const ENGINE_STORE: 'sqlite' | 'postgres' = process.env.TW_ENGINE_STORE === 'postgres' ? 'postgres' : 'sqlite';
export const ON_POSTGRES = ENGINE_STORE === 'postgres';

/**
 * `it` for a case about SQLite itself (it opens warden.db beside the store, uses SqliteStore's observeCommits,
 * damages the file): on the PostgreSQL pass it is skipped, and its name says why.
 */
export function itSqliteOnly(reason: string): (name: string, fn: TestFunction, timeout?: number) => void {
  return (name, fn, timeout) => {
    if (ON_POSTGRES) it.skip(`${name} [SQLite only: ${reason}]`, fn);
    else it(name, fn, timeout);
  };
}

/** `describe` for a group of cases about SQLite itself: on the PostgreSQL pass it is skipped, and its name says why. */
export function describeSqliteOnly(reason: string): (name: string, body: () => void) => void {
  return (name, body) => {
    if (ON_POSTGRES) describe.skip(`${name} [SQLite only: ${reason}]`, body);
    else describe(name, body);
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

/**
 * A used database is dropped while the next test runs (the drop takes tens of milliseconds): the file waits for
 * every drop at its end, and a failed one fails it there.
 */
const drops: Promise<unknown>[] = [];
const dropLater = (url: string): void => {
  drops.push(dropDatabase(url).then(() => undefined, (error: unknown) => error ?? new Error('drop failed')));
};
afterAll(async () => {
  const failed = (await Promise.all(drops.splice(0))).find((outcome) => outcome !== undefined);
  if (failed) throw failed;
});

/**
 * Where a test keeps data of its own outside a harness, on this pass's store: a SQLite file in a temp dir, or a
 * database cloned from the migrated template. `open()` opens a store on it (again after a close: a restart).
 * Removed after the test (close the stores first).
 */
export async function storeSite(): Promise<{ open: () => Promise<Store>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-site-'));
  const url = ON_POSTGRES ? await migratedDatabase() : undefined;
  cleanups.push(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (url) dropLater(url);
  });
  return { dir, open: async () => (url ? openPgStore({ url }) : openStore(join(dir, 'warden.db'))) };
}

export interface Harness {
  engine: Engine;
  clock: ManualClock;
  store: Store;
  vault: MemoryVault;
  /** Faults reported through the engine's onError (listener failures, vault cleanup). */
  errors: unknown[];
  /** A temp dir of the harness's own (removed after the test). */
  dir: string;
  /** The SQLite file (SQLite pass only: reading it on PostgreSQL throws). */
  path: string;
  userId: string;
  /**
   * Raw SQL on the harness's data through a connection of its own, as another process would see it (committed
   * rows only): to tamper with rows behind the engine's back or observe a commit. `?` placeholders on both
   * stores; a statement whose SQL differs between them is given as `{ sqlite, postgres }`. Returns the rows.
   */
  sql(statement: string | { sqlite: string; postgres: string }, ...params: (string | number | null)[]): Promise<Record<string, unknown>[]>;
  /** Closes and reopens the engine on the same file (or database) and vault (a restart). */
  restart(): Promise<Engine>;
  login(device?: DeviceInfo, rememberMe?: boolean, username?: string): Promise<TokenSet>;
  settings(patch: Partial<Settings>): Promise<void>;
}

/** `initialSigningAlg`: pin a new install's algorithm where a test is about one (default: the engine's default). */
export async function makeHarness(options: { initialSigningAlg?: SigningAlg } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-engine-'));
  const path = join(dir, 'warden.db');
  const clock = new ManualClock();
  const vault = new MemoryVault();
  const errors: unknown[] = [];
  const url = ON_POSTGRES ? await migratedDatabase() : undefined;
  const openStoreOf = async (): Promise<Store> => (url ? openPgStore({ url }) : openStore(path));
  const open = async () => Engine.open({ store: await openStoreOf(), vault, clock, issuer: ISSUER, onError: (e) => errors.push(e), ...options });
  const removeData = async () => {
    rmSync(dir, { recursive: true, force: true });
    if (url) dropLater(url);
  };
  let engine: Engine;
  try {
    engine = await open();
  } catch (error) {
    await removeData();
    throw error;
  }
  cleanups.push(async () => {
    try {
      await engine.close();
    } catch {
      // already closed
    }
    await removeData();
  });
  const { id: userId } = await engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
  await engine.admin.createClient({ clientId: 'web', kind: 'public', name: 'Web app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  await engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'Mobile app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  const harness: Harness = {
    get engine() {
      return engine;
    },
    get store() {
      return engine.store;
    },
    clock,
    vault,
    errors,
    dir,
    get path() {
      if (url) throw new Error('harness.path: the PostgreSQL pass has no SQLite file (mark the case itSqliteOnly)');
      return path;
    },
    userId,
    sql: async (statement, ...params) => {
      if (url) {
        let n = 0;
        const text = (typeof statement === 'string' ? statement : statement.postgres).replace(/\?/g, () => `$${++n}`);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          return (await client.query(text, params)).rows as Record<string, unknown>[];
        } finally {
          await client.end();
        }
      }
      const db = new Database(path);
      try {
        const prepared = db.prepare(typeof statement === 'string' ? statement : statement.sqlite);
        if (prepared.reader) return prepared.all(...params) as Record<string, unknown>[];
        prepared.run(...params);
        return [];
      } finally {
        db.close();
      }
    },
    async restart() {
      await engine.close();
      engine = await open();
      return engine;
    },
    login: (device = PHONE, rememberMe = false, username = 'ana') =>
      engine.login({ username, password: PASSWORD, clientId: device === LAPTOP ? 'web' : 'mobile', device, rememberMe }),
    settings: async (patch) => {
      await engine.admin.updateSettings(patch, ADMIN);
    },
  } as Harness;
  return harness;
}

/** Asserts that `fn` fails with a WardenError of exactly this code. */
export async function expectCode(fn: () => unknown, code: ErrorCode): Promise<WardenError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof WardenError && error.code === code) return error;
    throw new Error(`expected ${code}, got ${error instanceof WardenError ? error.code : String(error)}`);
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
