/**
 * What the SQLite and PostgreSQL `AuditSearchStore`s share (./sqlite-audit-search-store.ts,
 * ./pg/pg-audit-search-store.ts): the argument checks, the bounds of a prefix search, and how the rows of
 * several index walks (one per type, actor or alert type) become one page, newest first. Each store keeps its
 * SQL and its plans.
 */
import type { AuditEntry } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { AuditSearchFilter, ReuseAlertFilter, ReuseAlertRow } from './audit-search-store';
import { checkLimit } from './store-arguments';

/** Free text needs this many characters: the trigram indexes answer nothing shorter. */
export const MIN_TEXT = 3;
/** A prefix naming at most this many distinct actors is searched one actor at a time. */
export const ACTOR_ARMS_MAX = 32;
/** Greater than any continuation of a prefix in byte order (SQLite's BINARY, PostgreSQL's COLLATE "C"). */
export const TOP = '\u{10FFFF}';

/** A bad limit is the caller's bug (TypeError); too short a text is the user's (invalid_input). */
export function checkAuditSearch(filter: AuditSearchFilter): void {
  checkLimit(filter.limit);
  if (filter.q !== undefined && [...filter.q].length < MIN_TEXT) throw new WardenError('invalid_input', `Free-text search needs at least ${MIN_TEXT} characters.`);
}

export function checkReuseAlertFilter(filter: ReuseAlertFilter): void {
  checkLimit(filter.limit);
}

/** The filter's types, each once (one index walk each). */
export const distinctTypes = (filter: AuditSearchFilter): string[] => (filter.types ? [...new Set(filter.types)] : []);

/** The newest `limit` of rows gathered from several walks (each newest first): merged by seq. */
export function newestFirst<R extends { seq: number }>(rows: R[], limit: number, merge = true): R[] {
  if (merge) rows.sort((x, y) => y.seq - x.seq);
  return rows.slice(0, limit);
}

/** An alert row as both stores read it: the entry's columns and the acknowledgement's, null when there is none. */
export type RawAlert<R> = R & { seq: number; ackBy: string | null; ackAt: number | null; ackNote: string | null };

/** The page of reuse alerts from the rows of every alert type's walk. */
export function reuseAlertPage<R>(rows: RawAlert<R>[], limit: number, toEntry: (row: R & { seq: number }) => AuditEntry): ReuseAlertRow[] {
  return newestFirst(rows, limit).map(({ ackBy, ackAt, ackNote, ...raw }) => ({
    entry: toEntry(raw as unknown as R & { seq: number }),
    acknowledgement: ackBy !== null && ackAt !== null ? { seq: raw.seq, by: ackBy, at: ackAt, note: ackNote ?? '' } : null,
  }));
}
