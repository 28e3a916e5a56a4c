/**
 * Provider browser sessions: the hosted sign-in page's cookie session, under which every app's sign-in is a
 * session of its own (`sessions.browser_session_id`). Only the SHA-256 of the cookie is stored.
 */

export interface BrowserSessionRow {
  id: string;
  /** SHA-256 hex of the cookie value; the cookie itself is never stored. */
  cookieHash: string;
  userId: string;
  rememberMe: boolean;
  ip: string;
  userAgent: string;
  createdAt: number;
  /** When the user last typed their password in it (OIDC `auth_time`, `max_age`). */
  authTime: number;
  lastSeenAt: number;
  expiresAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export type BrowserSessionPatch = Partial<Pick<BrowserSessionRow, 'authTime' | 'lastSeenAt' | 'revokedAt' | 'revokedBy' | 'revokeReason'>>;
/** The fields `update` may set and their columns (the same in the SQLite and PostgreSQL schemas). */
export const BROWSER_SESSION_PATCH: Record<keyof BrowserSessionPatch, string> = {
  authTime: 'auth_time', lastSeenAt: 'last_seen_at', revokedAt: 'revoked_at', revokedBy: 'revoked_by', revokeReason: 'revoke_reason',
};

export interface BrowserSessionStore {
  insert(row: BrowserSessionRow): Promise<void>;
  get(id: string): Promise<BrowserSessionRow | undefined>;
  getByCookieHash(cookieHash: string): Promise<BrowserSessionRow | undefined>;
  /** Throws WardenError not_found when there is no such row. */
  update(id: string, patch: BrowserSessionPatch): Promise<void>;
  /** Not revoked and expiresAt > now, oldest first. */
  listLiveOfUser(userId: string, now: number): Promise<BrowserSessionRow[]>;
  /** The user's browser sessions, newest first, at most `limit` (the console). */
  listOfUser(userId: string, limit: number): Promise<BrowserSessionRow[]>;
  /** Ids of the app sessions signed in under it that are not revoked (by sessions_browser_session). */
  openSessionIdsOf(browserSessionId: string): Promise<string[]>;
}
