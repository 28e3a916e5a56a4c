/**
 * The users page's store: profile fields (display name, email, free attributes), the search and sorted listing
 * the console pages through (100k users stay instant: see sqlite-user-directory-store.ts for the plans), and the
 * removal of a deleted user's rows. The account fields (password, status, lock) stay on the main store's UserRow.
 */
import type { Page, UserRow } from './store';

export interface UserProfile {
  displayName: string | null;
  email: string | null;
  /** A JSON object of string values (bounded by the admin contract). */
  attributes: Record<string, string>;
}

export type UserDirectoryRow = UserRow & UserProfile;

/**
 * The console's statuses: `locked` is an active user whose failed logins lock them until `lockedUntil` (> now);
 * `blocked` wins over a lock; `active` is neither.
 */
export type DirectoryStatus = 'active' | 'locked' | 'blocked';
export type DirectorySort = 'username' | 'createdAt' | 'lastLoginAt' | 'status';

export interface DirectoryQuery {
  /** 3+ characters: a substring of username, display name or email; 1–2: the start of the username. */
  search?: string;
  status?: DirectoryStatus;
  sort: DirectorySort;
  dir: 'asc' | 'desc';
  now: number;
  offset: number;
  limit: number;
}

export interface DeletedRows {
  sessions: number;
  refreshTokens: number;
  accessTokens: number;
  browserSessions: number;
  authorizationCodes: number;
}

export interface UserDirectoryStore {
  get(userId: string): Promise<UserDirectoryRow | undefined>;
  list(query: DirectoryQuery): Promise<Page<UserDirectoryRow>>;
  /** Fields left undefined stay; null clears. Throws WardenError not_found when there is no such user. */
  updateProfile(userId: string, patch: Partial<UserProfile>): Promise<void>;
  /**
   * Removes the user and every row that names them as their owner: sessions, their refresh and access tokens,
   * browser sessions, authorization codes. Kept: the audit, the revocations (the feed still serves them) and the
   * back-channel outbox (logout tokens owed for the sessions just ended). Run it inside a transaction.
   */
  deleteUser(userId: string): Promise<DeletedRows>;
}
