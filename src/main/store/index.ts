/**
 * The storage layer's entry point: `openStore(path)` opens (creating if needed) a Token Warden database and
 * returns a ready `Store`. Anything that is not a usable Token Warden database is refused with
 * `WardenError('storage_error')` and left untouched.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { WardenError, isWardenError } from '../../shared/errors';
import { startCheckpointer, WRITER_AUTOCHECKPOINT_PAGES, type Checkpointer } from './checkpointer';
import { assertCompatible, migrate } from './migrations';
import { assertIntact } from './integrity';
import { describeSqliteFailure, SqliteStore } from './sqlite-store';
import type { Store } from './store';

export type * from './store';
export { SqliteStore, toStoreError, describeSqliteFailure } from './sqlite-store';
export { FULL_CHECK_MAX_BYTES, CRITICAL_TABLES } from './integrity';
export { MIGRATIONS, SCHEMA_VERSION, APPLICATION_ID, migrate } from './migrations';
export type { Migration } from './migrations';

const BUSY_TIMEOUT_MS = 5_000;
/** After a checkpoint has caught up, the log file is cut back to this size (it is reused, not regrown). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * SQLite treats a file shorter than one page as an empty database and would happily initialise it, so a
 * small non-database file would be overwritten. Check the magic header ourselves before SQLite sees it.
 */
function assertSqliteHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // missing (it will be created) or unreadable (SQLite reports that below)
  }
  try {
    const header = Buffer.alloc(SQLITE_MAGIC.length);
    const read = readSync(fd, header, 0, header.length, 0);
    if (read > 0 && !header.subarray(0, read).equals(SQLITE_MAGIC.subarray(0, read))) {
      throw new WardenError('storage_error', 'The data file is not a SQLite database; it was left untouched.');
    }
    // A real database, once written, is at least one page (512 bytes minimum).
    const size = fstatSync(fd).size;
    if (size > 0 && size < 512) throw new WardenError('storage_error', 'The data file is truncated; it was left untouched.');
  } finally {
    closeSync(fd);
  }
}

function openFailure(error: unknown, path: string): WardenError {
  if (isWardenError(error)) return error;
  const code = error instanceof Database.SqliteError ? error.code : undefined;
  const detail = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error);
  if (code === 'SQLITE_NOTADB') return new WardenError('storage_error', 'The data file is not a SQLite database; it was left untouched.', { detail });
  if (code?.startsWith('SQLITE_CORRUPT')) return new WardenError('storage_error', `The data file ${path} is damaged and cannot be opened; restore it from a backup.`, { detail });
  // The cause in words (permissions, disk full, I/O, locked); the SQL text stays in detail.
  return new WardenError('storage_error', `The data file ${path} could not be opened: ${describeSqliteFailure(code)}.`, { detail });
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readOrCreateInstanceId(db: Database.Database): string {
  const select = db.prepare("SELECT value FROM meta WHERE key = 'instance_id'");
  const existing = select.get() as { value: string } | undefined;
  if (existing) return existing.value;
  // OR IGNORE: if another process created it first, theirs wins and we read it back.
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance_id', ?)").run(randomBytes(16).toString('hex'));
  return (select.get() as { value: string }).value;
}

/**
 * Opens the SQLite store at `path` (`':memory:'` for a throwaway one). Files use WAL with
 * synchronous=NORMAL, checkpointed by a background thread (see checkpointer.ts); foreign keys are
 * enforced; pending migrations run in one transaction. `onBackgroundError` hears checkpoint failures.
 * @throws WardenError `storage_error` when the file is not a Token Warden database, is from a newer
 * version, or cannot be opened. The file is not modified in that case.
 */
export function openSqliteStore(path: string, onBackgroundError: (message: string) => void = warnCheckpointFailure): SqliteStore {
  let db: Database.Database | undefined;
  let checkpointer: Checkpointer | undefined;
  const isFile = path !== ':memory:' && path !== '';
  try {
    if (isFile) assertSqliteHeader(path);
    // Inside Electron the addon must be built for Electron's ABI; `npm start` builds that copy separately
    // (so Node's build, used by the tests and `npm run serve`, stays intact) and names it here.
    const nativeBinding = process.env.TOKEN_WARDEN_SQLITE_BINDING;
    db = new Database(path, nativeBinding ? { nativeBinding } : {});
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    // Reads only: a foreign or newer file is refused here, before WAL or a migration could write to it.
    assertCompatible(db);
    // Before anything writes (WAL, migrations): a damaged file is refused as it is.
    if (isFile) assertIntact(db, path, fileSize(path) + fileSize(`${path}-wal`));
    // SQLite opens a file it may not write read-only without a word, and the first write would fail mid-request.
    // One write that is rolled back (the header's own version, unchanged) names the cause at start instead.
    if (isFile) {
      db.exec('BEGIN IMMEDIATE');
      db.pragma(`user_version = ${db.pragma('user_version', { simple: true }) as number}`);
      db.exec('ROLLBACK');
    }
    if (isFile) {
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode.toLowerCase() !== 'wal') throw new WardenError('storage_error', 'The data file cannot use write-ahead logging.');
    }
    db.pragma('synchronous = NORMAL');
    const applied = migrate(db);
    const id = readOrCreateInstanceId(db);
    if (isFile) {
      db.pragma(`wal_autocheckpoint = ${WRITER_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      const writer = db;
      checkpointer = startCheckpointer(path, nativeBinding, {
        onError: onBackgroundError,
        onGone: () => {
          onBackgroundError('the checkpoint thread stopped; the writer checkpoints on its own again');
          // SQLite's default threshold: the log stays small, at the price of checkpoints on the event loop.
          if (writer.open) writer.pragma('wal_autocheckpoint = 1000');
        },
      });
    }
    return new SqliteStore(db, id, applied, checkpointer);
  } catch (error) {
    checkpointer?.stop();
    try {
      db?.close();
    } catch {
      // Already failing; the original error is the one worth reporting.
    }
    throw openFailure(error, path);
  }
}

function warnCheckpointFailure(message: string): void {
  console.warn(`token-warden: background WAL checkpoint: ${message}`);
}

/** Opens the store at `path` or `':memory:'`. See `openSqliteStore`. */
export function openStore(path: string | ':memory:'): Store {
  return openSqliteStore(path);
}
