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
import { chmod, link, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WardenError } from '../shared/errors';
import { sha256 } from './http/admin-auth';
import { describeSqliteFailure } from './store/index';
import type { Store } from './store/store';

export const DATABASE_FILE = 'warden.db';
export const ADMIN_TOKEN_FILE = 'admin-token';
export const LOCK_FILE = 'warden.lock';
export const LOCK_INFO_FILE = 'warden.lock.json';
const ADMIN_TOKEN = /^[A-Za-z0-9_-]{43}$/;

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

/** Names the cause of a file-system failure (permissions, disk full, I/O); the errno text stays in `detail`. */
function fsFailure(error: unknown, what: string): WardenError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = error instanceof Error ? error.message : String(error);
  const cause =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied: check that this user may read and write the data directory'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : code === 'EIO'
          ? 'an I/O error: the disk may be failing'
          : `${code ?? 'unexpected error'}`;
  return new WardenError('storage_error', `${what}: ${cause}.`, { detail });
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
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
 * process holds it, or when it was used and its database is missing or empty; nothing is written then.
 */
export function openDataDir(dir: string): DataDir {
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
    if (database === undefined || database.size === 0) {
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

/**
 * Makes sure the admin token file (DIR/admin-token, or `--admin-token-file FILE`) holds the admin secret whose
 * SHA-256 the store knows. A matching token is kept (scripts keep working across restarts). A missing file
 * mints 256 fresh random bits (mode 0600): the hash is committed durably first, then the file is written and
 * moved into place, so a crash in between leaves no file and the next start mints again. A file that is empty,
 * not 43 base64url characters, or whose hash differs from the store's refuses the start: replacing it would
 * silently lock out whoever holds the real token.
 *
 * `--admin-token-file` is shared by every instance (docs/keys.md): it is published with link(2), which fails
 * when the name exists, so of two instances minting at once one file wins and the other adopts it; it is never
 * chmod-ed or deleted (it may be a read-only secret mount, or another instance's), and a file that group or
 * others can read is used with a warning, not refused: Docker and Kubernetes mount secrets 0444/0644.
 */
export async function ensureAdminToken(dataDir: string, store: Store, warn?: (line: string) => void, tokenFile?: string): Promise<{ path: string; hash: Buffer }> {
  const shared = tokenFile !== undefined;
  const file = tokenFile ?? path.join(dataDir, ADMIN_TOKEN_FILE);
  const existing = await readToken(file);
  if (existing !== undefined) return useToken(file, existing, store, shared, warn, false);
  const token = randomBytes(32).toString('base64url');
  const hash = sha256(token);
  const storedHash = await store.getSetting('admin_token_hash');
  await store.transaction(() => store.putSetting('admin_token_hash', hash.toString('hex')), { durable: true });
  const published = await writeToken(file, token, shared);
  if (!published) {
    // Another instance created the shared file meanwhile: its token is the deployment's (ours was never shown).
    const theirs = await readToken(file);
    if (theirs === undefined) throw new WardenError('storage_error', `The admin token file ${file} appeared and vanished while this start created it; start again.`);
    return useToken(file, theirs, store, shared, warn, true);
  }
  if (storedHash) warn?.(`A new admin token was written to ${file} (the file was missing); the previous token no longer works.`);
  return { path: file, hash };
}

/** The file's trimmed text, or undefined when it does not exist. */
async function readToken(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsFailure(error, `Cannot read the admin token ${file}`);
  }
}

/** Checks an existing token against the store; `adopt`: our own hash was just replaced by a racing instance's file. */
async function useToken(file: string, token: string, store: Store, shared: boolean, warn: ((line: string) => void) | undefined, adopt: boolean): Promise<{ path: string; hash: Buffer }> {
  const recover = `Restore the file, or delete it to mint a new admin token at the next start (scripts holding the old one stop working).`;
  if (token.length === 0) throw new WardenError('storage_error', `The admin token file ${file} is empty (it must hold 43 base64url characters). ${recover}`);
  if (!ADMIN_TOKEN.test(token)) {
    throw new WardenError('storage_error', `The admin token file ${file} is garbled (it must hold 43 base64url characters, ${token.length} found). ${recover}`);
  }
  const hash = sha256(token);
  const storedHash = await store.getSetting('admin_token_hash');
  if (storedHash && hash.toString('hex') !== storedHash && !adopt) {
    throw new WardenError('storage_error', `The admin token file ${file} does not hold the admin token this database knows. ${recover}`);
  }
  if (storedHash !== hash.toString('hex')) await store.transaction(() => store.putSetting('admin_token_hash', hash.toString('hex')), { durable: true });
  if (!shared) {
    await chmod(file, 0o600);
  } else {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0) warn?.(`Warning: the admin token file ${file} can be read by other users (mode ${mode.toString(8)}); chmod 600 it unless it is a read-only secret mount.`);
  }
  return { path: file, hash };
}

/**
 * Writes `token` to a temporary file beside `file` (0600, synced) and moves it into place: rename for
 * DIR/admin-token, link for a shared file (false when the name exists: another instance published first).
 */
async function writeToken(file: string, token: string, shared: boolean): Promise<boolean> {
  const dir = path.dirname(file);
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' creates a new file, so the 0600 mode applies from the first byte; rename/link make the switch
    // atomic, and the syncs make the file and its name survive a power cut, as the hash in the database does.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (shared) {
      try {
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    } else {
      await rename(temp, file);
    }
    await syncDirectory(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && shared) {
      throw new WardenError('storage_error', `Cannot write the admin token ${file}: its directory ${dir} does not exist.`);
    }
    throw fsFailure(error, `Cannot write the admin token ${file}`);
  } finally {
    try {
      // After a link the temporary name is a second name of the same file; after a rename it is gone already.
      unlinkSync(temp);
    } catch {
      // Never created, or renamed.
    }
  }
}
