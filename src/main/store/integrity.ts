/**
 * The integrity check every file store gets when it opens, so that a damaged page is refused at start with its
 * cause named, instead of answering 500 to the first login or refresh that reads it.
 *
 * `PRAGMA quick_check` reads every page of the file: 0.32 s for a 263 MB store here and 3.0-3.6 s for the
 * bench's 2.6 GB scale store, from the page cache (slower from a cold disk). So a file up to
 * FULL_CHECK_MAX_BYTES is checked whole (about 0.6 s at most); a bigger one gets
 * `quick_check(table)` of the tables every login, client authentication, signature and feed reads
 * (CRITICAL_TABLES: small next to the sessions, refresh-token, access-token and audit tables that make a big
 * file big; 47 ms on the scale store), and damage elsewhere is found when it is read, with the same cause in its
 * error message.
 */
import type Database from 'better-sqlite3';
import { WardenError } from '../../shared/errors';

export const FULL_CHECK_MAX_BYTES = 512 * 1024 * 1024;
export const CRITICAL_TABLES = ['meta', 'settings', 'row_counts', 'users', 'clients', 'signing_keys', 'revocations', 'counters'] as const;

type CheckRow = { quick_check: string };

/** The check's findings; a page too damaged to read at all makes SQLite throw instead, which is a finding too. */
function problems(db: Database.Database, table?: string): string[] {
  let rows: CheckRow[];
  try {
    rows = db.pragma(table ? `quick_check(${JSON.stringify(table)})` : 'quick_check') as CheckRow[];
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code)) return [`${code}: ${(error as Error).message}`];
    throw error;
  }
  const lines = rows.map((row) => row.quick_check);
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

function existingTables(db: Database.Database, names: readonly string[]): string[] {
  const present = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
  return names.filter((name) => present.has(name));
}

/**
 * Throws `storage_error` naming the damaged tables when the check finds a problem. `sizeBytes` chooses the
 * whole-file check or the critical tables (see above). A file whose schema cannot be read fails earlier, in
 * SQLite itself (SQLITE_CORRUPT), which the caller reports as damage.
 */
export function assertIntact(db: Database.Database, file: string, sizeBytes: number): void {
  const whole = sizeBytes <= FULL_CHECK_MAX_BYTES;
  const found = whole ? problems(db) : existingTables(db, CRITICAL_TABLES).flatMap((table) => problems(db, table));
  if (found.length === 0) return;
  // Name the tables: per-table checks run only now that something is known to be wrong.
  const tables = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[])
    .map((row) => row.name)
    .filter((name) => problems(db, name).length > 0);
  const where = tables.length > 0 ? `in the ${tables.join(', ')} table${tables.length > 1 ? 's' : ''}` : 'in its structure';
  throw new WardenError(
    'storage_error',
    `The data file ${file} is damaged: the integrity check found ${found.length === 1 ? 'a problem' : `${found.length} problems`} ${where}. ` +
      'It was left untouched; restore it from a backup.',
    { detail: found.slice(0, 5).join('; ') },
  );
}
