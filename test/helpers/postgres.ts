/**
 * Throwaway PostgreSQL for the tests.
 *
 * - As vitest globalSetup (vitest.config.ts): `initdb` once per run into a mktemp directory (owned by the
 *   `postgres` user when we are root: PostgreSQL refuses to run as root), `pg_ctl start` on a free loopback port
 *   (socket in the same directory), stopped and removed in teardown. Its address is handed to the test workers
 *   with `provide('postgres', …)`. Without PostgreSQL (no initdb in /usr/lib/postgresql/15/bin, or
 *   TW_PG_BIN) the reason is printed once and the PostgreSQL tests skip (`describePg`).
 * - In a test file: `const url = await freshDatabase()` gives an empty database of its own (`CREATE DATABASE …
 *   TEMPLATE template0`); `openTestPgStore()` opens a PgStore on one; `startCluster()` starts a private cluster
 *   (for tests that stop and start the server, which must not disturb other files' databases).
 * - `migratedDatabase()` gives a database of its own that is already migrated and never used: the globalSetup
 *   migrates one template database (`tw_migrated`) once per run, and each call clones it (`CREATE DATABASE …
 *   TEMPLATE tw_migrated`, made ahead while the previous test runs). The engine's unit suites on PostgreSQL
 *   (test/unit/engine/harness.ts) open one per harness.
 * - The shared store suites: `pgHarness()` opens a PgStore on an empty database and gives `{ store, reopen,
 *   cleanup }` like the SQLite harnesses (test/helpers/sqlite-harness.ts), asynchronously; `onPgStore(suite)`
 *   is onEverySqliteStore's counterpart.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { runMigrations } from '../../src/main/store/pg/migration-runner';
import { openPgStore, type PgStore, type PgStoreOptions } from '../../src/main/store/pg/pg-store';

const run = promisify(execFile);
const BIN = process.env.TW_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  host: string;
  port: number;
  /** The data and socket directory (removed by stop). */
  dir: string;
  /** A superuser URL for `database`. */
  urlFor(database: string): string;
  stop(): Promise<void>;
  /** Starts the same cluster again after stop({ keep: true }) (same port and data). */
  start(): Promise<void>;
}

/** `migrated`: the migrated template's name, or why it could not be made (every migratedDatabase() then fails so). */
type Provided = { host: string; port: number; migrated: { name: string } | { error: string } } | { unavailable: string };

/** The template database the globalSetup migrates once per run. */
const MIGRATED_TEMPLATE = 'tw_migrated';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: Provided;
  }
}

/** Why PostgreSQL cannot run here, or undefined when it can. */
export function unavailableReason(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `PostgreSQL not installed (no ${join(BIN, 'initdb')}; bash scripts/setup.sh --system installs it)`;
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  return undefined;
}

const asRoot = process.getuid?.() === 0;

/** The command line of a PostgreSQL binary, run as the postgres user when we are root. */
function pgCommand(name: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', join(BIN, name), ...args]] : [join(BIN, name), args];
}

async function pgBin(name: string, args: string[]): Promise<void> {
  const [command, argv] = pgCommand(name, args);
  await run(command, argv, { timeout: 30_000 });
}

/** One statement on its own short-lived connection (a superuser URL: set-up, faults, inspection), then closed. */
export async function sqlOnce(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A free loopback port (chosen by the OS, then released for a server to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * initdb and start a cluster on a free loopback port. Durability is off (fsync, full-page writes, commits that
 * wait for the log, a minimal log): the data is thrown away, and every test creates databases and commits.
 * Checkpoints are rare (each cloned database passes through the log). A port taken between choosing and binding
 * is retried with another. `settings` (name → value) come after these and override them: the cluster bench
 * (bench/lib/bench-postgres.ts) turns durability back on.
 */
export async function startCluster(settings: Record<string, string> = {}): Promise<PostgresCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-pg-'));
  if (asRoot) chownSync(dir, (await uidOf('postgres')), (await gidOf('postgres')));
  const data = join(dir, 'data');
  try {
    await pgBin('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-N', '-E', 'UTF8', '--locale=C', '--no-instructions']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let port = 0;
  const startOn = async (p: number) => {
    await pgBin('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '20', '-o',
      `-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off `
      + '-c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=2GB -c checkpoint_timeout=30min '
      + `-c shared_buffers=32MB -c max_connections=200${Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`).join('')}`, 'start']);
  };
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await startOn(port);
      break;
    } catch (error) {
      if (attempt >= 2) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  const cluster: PostgresCluster = {
    host: '127.0.0.1',
    port,
    dir,
    urlFor: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => startOn(port),
    async stop() {
      await pgBin('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    },
  };
  return cluster;
}

/** Stops a cluster and removes its directory. */
export async function destroyCluster(cluster: PostgresCluster): Promise<void> {
  await cluster.stop();
  rmSync(cluster.dir, { recursive: true, force: true });
}

async function uidOf(user: string): Promise<number> {
  return Number((await run('id', ['-u', user])).stdout.trim());
}

async function gidOf(user: string): Promise<number> {
  return Number((await run('id', ['-g', user])).stdout.trim());
}

/** vitest globalSetup: one cluster for the whole run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reason = unavailableReason();
  if (reason) {
    console.warn(`[postgres] PostgreSQL tests skip: ${reason}`);
    project.provide('postgres', { unavailable: reason });
    return async () => {};
  }
  const cluster = await startCluster();
  project.provide('postgres', { host: cluster.host, port: cluster.port, migrated: await migrateTemplate(cluster) });
  // A run that ends without its teardown (process.exit on an interrupt) must not leave a server behind.
  const onExit = () => {
    const [command, argv] = pgCommand('pg_ctl', ['-D', join(cluster.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
    try {
      execFileSync(command, argv, { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Already stopped.
    }
    rmSync(cluster.dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    await destroyCluster(cluster);
  };
}

/**
 * Creates and migrates the run's template database (migrations only: no store opened, so no instance id or
 * other row), then closes it to connections: a template must have none while it is cloned. A migration that
 * fails (work in progress) fails the tests that need the template, with its message, not the run.
 */
async function migrateTemplate(cluster: PostgresCluster): Promise<{ name: string } | { error: string }> {
  try {
    await adminQuery(cluster.urlFor('postgres'), `CREATE DATABASE ${MIGRATED_TEMPLATE} TEMPLATE template0`);
    await runMigrations(cluster.urlFor(MIGRATED_TEMPLATE), MIGRATED_TEMPLATE);
    await adminQuery(cluster.urlFor('postgres'), `ALTER DATABASE ${MIGRATED_TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    return { name: MIGRATED_TEMPLATE };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`[postgres] the migrated template database could not be made: ${message}`);
    return { error: message };
  }
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** In a test worker: the run's cluster, or why there is none. */
function provided(): Provided {
  return inject('postgres') ?? { unavailable: 'the postgres globalSetup did not run (vitest.config.ts)' };
}

/** Why this run has no PostgreSQL, or undefined when it has one. */
export const clusterSkip = (): string | undefined => {
  const value = provided();
  return 'unavailable' in value ? value.unavailable : undefined;
};

/** `describe` that skips, saying why, when this run has no PostgreSQL. */
export function describePg(name: string, body: () => void): void {
  const reason = clusterSkip();
  if (reason) describe.skip(`${name} (skipped: ${reason})`, body);
  else describe(name, body);
}

/** A superuser URL for `database` on the run's cluster. */
export function clusterUrl(database = 'postgres'): string {
  const value = provided();
  if ('unavailable' in value) throw new Error(`no PostgreSQL: ${value.unavailable}`);
  return `postgres://postgres@${value.host}:${value.port}/${database}`;
}

/** Creates an empty database on the run's cluster (or `adminUrl`'s) and returns its URL. */
export async function freshDatabase(adminUrl = clusterUrl()): Promise<string> {
  const name = `tw_${process.pid}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * A database of its own on the run's cluster, already migrated and never used (a clone of the template the
 * globalSetup migrated), and its URL. Drop it with dropDatabase when done: each holds a few megabytes.
 * The next clone is made while the caller's test runs (a worker's harnesses come one after another), so a call
 * rarely waits for one; the last one a worker made is left for the cluster's removal.
 */
export async function migratedDatabase(): Promise<string> {
  const value = provided();
  if ('unavailable' in value) throw new Error(`no PostgreSQL: ${value.unavailable}`);
  if ('error' in value.migrated) throw new Error(`no migrated template database: ${value.migrated.error}`);
  const template = value.migrated.name;
  const ready = nextClone ?? cloneOf(template);
  nextClone = cloneOf(template);
  // Its failure is reported to the call that takes it.
  nextClone.catch(() => {});
  return ready;
}

let nextClone: Promise<string> | undefined;

/**
 * FILE_COPY copies the template's few files (and checkpoints, cheap with fsync off): about half the time of
 * the default WAL_LOG, which writes every block of the template through the log.
 */
async function cloneOf(template: string): Promise<string> {
  const name = `tw_${process.pid}_${randomBytes(6).toString('hex')}`;
  await adminQuery(clusterUrl(), `CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
  return clusterUrl(name);
}

/** Drops the database of `url` (on the run's cluster), ending any connection still on it. */
export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  if (!/^tw_[0-9a-z_]+$/.test(name)) throw new TypeError(`not a test database: ${name}`);
  await adminQuery(clusterUrl(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/** Opens a PgStore on a fresh database (or `options.url`). */
export async function openTestPgStore(options: Partial<PgStoreOptions> = {}): Promise<PgStore> {
  return openPgStore({ url: options.url ?? (await freshDatabase()), ...options });
}

/**
 * Databases this worker has used and emptied, ready for the next harness: creating and migrating a database
 * takes about a second on a busy machine, emptying one (TRUNCATE … RESTART IDENTITY) a small fraction of that,
 * and the shared suites open a fresh store for every test.
 */
const spare: string[] = [];

/** Empties every table but schema_version (identities restart), so the database is as migrated and never used. */
async function empty(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DO $$ DECLARE names text; BEGIN
      SELECT string_agg(format('%I', tablename), ', ') INTO names FROM pg_tables
        WHERE schemaname = current_schema() AND tablename <> 'schema_version';
      IF names IS NOT NULL THEN EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY CASCADE'; END IF;
    END $$`);
  } finally {
    await admin.end();
  }
}

/**
 * The shared store suites' harness on PostgreSQL: an empty database of its own (fresh, or one a finished
 * harness emptied), `reopen` opens another store on the same one, `cleanup` closes every store it opened and
 * hands the database back emptied. Two harnesses open at once never share a database.
 */
export interface PgHarness {
  store: PgStore;
  reopen: () => Promise<PgStore>;
  cleanup: () => Promise<void>;
}

export async function pgHarness(): Promise<PgHarness> {
  const url = spare.pop() ?? (await freshDatabase());
  const opened: PgStore[] = [];
  const open = async () => {
    const store = await openPgStore({ url });
    opened.push(store);
    return store;
  };
  return {
    store: await open(),
    reopen: open,
    cleanup: async () => {
      await Promise.all(opened.map((store) => store.close()));
      await empty(url);
      spare.push(url);
    },
  };
}

/**
 * The PostgreSQL counterpart of onEverySqliteStore (test/helpers/sqlite-harness.ts): runs a shared suite on a
 * PgStore, skipped with the reason when this run has no PostgreSQL.
 */
export function onPgStore(suite: (name: string, makeHarness: () => Promise<PgHarness>) => void): void {
  describePg('PostgreSQL', () => suite('PostgreSQL', pgHarness));
}
