/**
 * Authorization codes (RFC 6749 §4.1): one row per code, stored only under the SHA-256 of the code. A used
 * code's row stays as the record of the sign-in it completed (its `auth_time`, `nonce`, browser session and
 * the app session it opened): a second presentation is detected and revokes that session, and refreshes of an
 * `openid` session find their ID token's `auth_time` here. `keptUntil` says how long the row is needed.
 */

export interface AuthorizationCodeRow {
  /** SHA-256 hex of the code; the code itself is never stored. */
  codeHash: string;
  clientId: string;
  userId: string;
  browserSessionId: string;
  /** Exactly as the authorization request named it; the token request must repeat it. */
  redirectUri: string;
  /** RFC 7636 S256 challenge (base64url SHA-256 of the verifier, 43 characters). */
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  /** When the user last typed their password (ms): the ID token's auth_time. */
  authTime: number;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  /** The app session the code opened (set when it is used). */
  sessionId: string | null;
  /** The row may be purged after this instant (ms). */
  keptUntil: number;
}

export interface AuthorizationCodeStore {
  insert(row: AuthorizationCodeRow): Promise<void>;
  get(codeHash: string): Promise<AuthorizationCodeRow | undefined>;
  /**
   * Marks an unused code used by the session it opened (compare-and-set): false when it was already used.
   * `keptUntil` extends the record for as long as that session may refresh.
   */
  markUsed(codeHash: string, usedAt: number, sessionId: string, keptUntil: number): Promise<boolean>;
  /** The code that opened this session, if its record is still kept. */
  getBySession(sessionId: string): Promise<AuthorizationCodeRow | undefined>;
  /** Deletes rows whose keptUntil is before `before`; returns how many. */
  purge(before: number): Promise<number>;
}
