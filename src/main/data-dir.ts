/**
 * The data directory's rules (see docs/operations.md, "The data directory"):
 *
 * - **One process at a time.** `warden.lock` is an empty SQLite file held with `locking_mode=EXCLUSIVE` and an
 *   open `BEGIN EXCLUSIVE` for the process's life. SQLite's locks are POSIX advisory locks, so the kernel drops
 *   them when the holder dies in any way (kill -9 included), and SQLite tracks them per inode within a process,
 *   so a second connection from the same process is refused too. Caveat of POSIX locks: closing ANY descriptor
 *   of that file in the holding process releases its locks, so nothing here ever opens `warden.lock` with `fs`;
 *   who holds it is written to `warden.lock.json` instead, read only to word a refusal (the lock is the truth).
 * - **A used directory is never taken for a new one.** Without a usable `warden.db` (missing or 0 bytes) the
 *   directory is initialised only when nothing else says it was used: an `admin-token`, the database's
 *   `-wal`/`-shm` files, or a `warden.lock.json` left by an earlier start refuse the start instead.
 * - **A start that fails leaves a new directory as it found it.** `discard()` (the failure path) deletes what a
 *   fresh start created, database first, while still holding the lock; a used directory is only released.
 * - **The admin token file is never replaced silently.** A missing file mints a new token (the documented way
 *   to recover a lost one); a file that is garbled or does not match the database's hash refuses the start.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WardenError } from '../shared/errors';
import { ADMIN_TOKEN_FILE, ensureAdminToken } from './admin-token';
import { fsFailure } from './fs-failure';
import { describeSqliteFailure } from './store/index';
import type { Store } from './store/store';

export const DATABASE_FILE = 'warden.db';
export { ADMIN_TOKEN_FILE, ensureAdminToken } from './admin-token';
export const LOCK_FILE = 'warden.lock';
export const LOCK_INFO_FILE = 'warden.lock.json';

/** Who holds the lock, as its holder wrote it (best effort: absent while it is still starting). */
export interface LockHolder {
  pid: number;
  startedAt: string;
  url: string | null;
}

export interface DataDir {
  readonly path: string;
  readonly databasePath: string;
  /** True when this start initialises the directory: there was no database and no sign of earlier use. */
  readonly fresh: boolean;
  /** Writes `warden.lock.json` (pid, start time, URL) so that a refused second start can name this one. */
  announce(url: string | null): void;
  /** See `ensureAdminToken`; `file` is `--admin-token-file` (default DIR/admin-token). */
  ensureAdminToken(store: Store, warn?: (line: string) => void, file?: string): Promise<{ path: string; hash: Buffer }>;
  /** Removes the info file and releases the lock. Idempotent. */
  release(): void;
  /**
   * For a start that failed (close the store first): a fresh directory loses everything this start created
   * (the database with its -wal/-shm/-journal, the admin token, the lock and its info file), so the next start
   * finds it as it was, not as a used directory without keys; a used directory is only released. Idempotent.
   */
  discard(): void;
}

function exists(file: string): { size: number } | undefined {
  try {
    return { size: statSync(file).size };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsFailure(error, `Cannot read ${file}`);
  }
}

export function readLockHolder(dir: string): LockHolder | undefined {
  try {
    const value = JSON.parse(readFileSync(path.join(dir, LOCK_INFO_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof value.pid !== 'number' || typeof value.startedAt !== 'string') return undefined;
    return { pid: value.pid, startedAt: value.startedAt, url: typeof value.url === 'string' ? value.url : null };
  } catch {
    return undefined;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function inUse(dir: string, detail: string): WardenError {
  const holder = readLockHolder(dir);
  const who = holder
    ? `another Token Warden (pid ${holder.pid}, started ${holder.startedAt}${holder.url ? `, ${holder.url}` : ''})`
    : 'another Token Warden process (still starting: it has not written who it is yet)';
  return new WardenError('storage_error', `The data directory ${dir} is in use by ${who}. Stop it first, or start with another --data-dir.`, { detail });
}

/** Takes the directory's lock, or refuses naming who holds it. The returned connection IS the lock. */
function lock(dir: string): Database.Database {
  const file = path.join(dir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    const nativeBinding = process.env.TOKEN_WARDEN_SQLITE_BINDING;
    db = new Database(file, nativeBinding ? { nativeBinding } : {});
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // Nothing is ever written: the file stays empty, and no journal is left for a dead holder to recover.
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (error) {
    db?.close();
    const code = error instanceof Database.SqliteError ? error.code : undefined;
    const detail = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error);
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') throw inUse(dir, detail);
    if (code === 'SQLITE_NOTADB') {
      throw new WardenError('storage_error', `${file} is not the lock file Token Warden makes; it holds no data: delete it and start again.`, { detail });
    }
    // SQLite says only "cannot open" when it may not create the file; the directory's mode says why.
    const cause = code?.startsWith('SQLITE_CANTOPEN') && !writable(dir) ? describeSqliteFailure('SQLITE_PERM') : describeSqliteFailure(code);
    throw new WardenError('storage_error', `Cannot lock the data directory ${dir}: ${cause}.`, { detail });
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw fsFailure(error, `Cannot remove ${file}`);
  }
}

/**
 * Removes `dir` and its parents up to `firstCreated` (what `mkdir -p` made, see fs.mkdir's return value), each
 * only while it is empty: a directory that holds anything, ours or not, stays.
 */
export function removeEmptyDirs(dir: string, firstCreated: string): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return; // not empty (or already gone): it and its parents stay
    }
    if (current === path.resolve(firstCreated) || current === path.dirname(current)) return;
  }
}

/** What says a directory was used before, when its database is missing or empty. */
function evidenceOfUse(dir: string): string[] {
  const signs = [ADMIN_TOKEN_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, LOCK_INFO_FILE];
  return signs.filter((name) => exists(path.join(dir, name)) !== undefined);
}

/**
 * Locks `dir` (which must exist) and decides whether it is fresh or used. Throws `storage_error` when another
 * process holds it, or when it was used and its database is missing or empty (unless `databaseElsewhere`: the
 * data is in PostgreSQL); nothing is written then.
 */
export function openDataDir(dir: string, options: { databaseElsewhere?: boolean } = {}): DataDir {
  const held = lock(dir);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // Info first: once the lock goes, the file may already be the next holder's.
    try {
      unlinkSync(path.join(dir, LOCK_INFO_FILE));
    } catch {
      // Not written yet, or already gone.
    }
    held.close();
  };
  try {
    const databasePath = path.join(dir, DATABASE_FILE);
    const database = exists(databasePath);
    let fresh = false;
    if (options.databaseElsewhere) {
      // The data is in PostgreSQL (--database): no warden.db to miss; fresh only says what discard may remove.
      fresh = database === undefined && evidenceOfUse(dir).length === 0;
    } else if (database === undefined || database.size === 0) {
      const signs = evidenceOfUse(dir);
      if (signs.length > 0) {
        const state = database === undefined ? 'is missing' : 'is empty (0 bytes)';
        throw new WardenError(
          'storage_error',
          `The data directory ${dir} was used before (found ${signs.join(', ')}) but its database ${DATABASE_FILE} ${state}. ` +
            'Refusing to start over as a new install, which would lose every user, client, key and audit entry and replace the admin token. ' +
            `Restore ${DATABASE_FILE} from a backup; to really start over, move the directory away or empty it.`,
        );
      }
      fresh = true;
    }
    return {
      path: dir,
      databasePath,
      fresh,
      announce(url) {
        if (released) return;
        const info: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), url };
        const temp = path.join(dir, `${LOCK_INFO_FILE}.${randomBytes(6).toString('hex')}.tmp`);
        writeFileSync(temp, `${JSON.stringify(info)}\n`, { mode: 0o600, flag: 'wx' });
        renameSync(temp, path.join(dir, LOCK_INFO_FILE));
      },
      ensureAdminToken: (store, warn, file) => ensureAdminToken(dir, store, warn, file),
      release,
      discard() {
        if (released) return;
        if (fresh) {
          // While the lock is held no other start can be initialising the directory: everything named here
          // is this start's. The lock file goes last, still held: a start that opens the name after that gets a
          // new file (and lock) of its own, and nothing below touches its files.
          const created = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`, ADMIN_TOKEN_FILE, LOCK_INFO_FILE, LOCK_FILE];
          for (const name of created) removeIfPresent(path.join(dir, name));
        }
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}
