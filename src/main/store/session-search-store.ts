/**
 * The Sessions view across all users: one filtered, keyset-paged walk over the sessions table (area C,
 * docs/sessions.md). Every filter is optional; they combine with AND.
 */
import type { SessionStatus } from '../../shared/dto';
import type { SessionRow } from './store';

export type SessionSortBy = 'lastActivityAt' | 'createdAt';
export type SortDir = 'asc' | 'desc';

/** A position in the sort order: the sort column's value and the row's rowid (the tie-breaker). */
export interface SessionCursor {
  key: number;
  rowid: number;
}

export interface SessionSearchQuery {
  now: number;
  userId?: string;
  clientId?: string;
  /** Matched against the start of the stored address (case-insensitive; addresses are ASCII). */
  ipPrefix?: string;
  /** A substring of the device name or the user agent, case-insensitive (ASCII folding, as SQLite's lower()). */
  device?: string;
  status?: SessionStatus;
  /** Times in ms: `from` inclusive, `to` exclusive. */
  createdFrom?: number;
  createdTo?: number;
  activeFrom?: number;
  activeTo?: number;
  rememberMe?: boolean;
  sort: SessionSortBy;
  dir: SortDir;
  /** Continue strictly after this position (a previous page's `next`). */
  after?: SessionCursor;
  limit: number;
}

export interface SessionSearchPage {
  items: SessionRow[];
  /** Where the next page starts; null when nothing is left in the sort order. */
  next: SessionCursor | null;
  /**
   * True when the page holds fewer than `limit` rows although the walk did not reach the end: the filters are
   * rare among the rows examined, and one page examines a bounded number of them (keeps every page fast).
   */
  partial: boolean;
  /** Which index found the rows (`walk:<index>` or `drive:<index>`): for the tests and the bench. */
  plan: string;
}

export interface SessionSearchStore {
  search(query: SessionSearchQuery): Promise<SessionSearchPage>;
  /** Open sessions (not revoked, live_until > now), of one client or of all, oldest first: signOutEveryone's set. */
  openSessionsOf(clientId: string | null, now: number): Promise<SessionRow[]>;
}
