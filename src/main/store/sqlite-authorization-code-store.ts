/** `AuthorizationCodeStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import type { AuthorizationCodeRow, AuthorizationCodeStore } from './authorization-code-store';
import { guarded } from './sqlite-guarded';
import { checkSha256Hex } from './store-arguments';

const COLUMNS = `code_hash AS codeHash, client_id AS clientId, user_id AS userId, browser_session_id AS browserSessionId,
  redirect_uri AS redirectUri, code_challenge AS codeChallenge, scope, nonce, auth_time AS authTime,
  created_at AS createdAt, expires_at AS expiresAt, used_at AS usedAt, session_id AS sessionId, kept_until AS keptUntil`;

export class SqliteAuthorizationCodeStore implements AuthorizationCodeStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async insert(row: AuthorizationCodeRow): Promise<void> {
    checkSha256Hex(row.codeHash, 'codeHash');
    guarded(() =>
      this.q(`INSERT INTO authorization_codes (code_hash, client_id, user_id, browser_session_id, redirect_uri, code_challenge,
        scope, nonce, auth_time, created_at, expires_at, used_at, session_id, kept_until) VALUES (@codeHash, @clientId, @userId,
        @browserSessionId, @redirectUri, @codeChallenge, @scope, @nonce, @authTime, @createdAt, @expiresAt, @usedAt, @sessionId,
        @keptUntil)`).run(row),
    );
  }

  async get(codeHash: string): Promise<AuthorizationCodeRow | undefined> {
    return guarded(() => this.q(`SELECT ${COLUMNS} FROM authorization_codes WHERE code_hash = ?`).get(codeHash) as AuthorizationCodeRow | undefined);
  }

  async markUsed(codeHash: string, usedAt: number, sessionId: string, keptUntil: number): Promise<boolean> {
    return guarded(
      () =>
        this.q(`UPDATE authorization_codes SET used_at = @usedAt, session_id = @sessionId, kept_until = MAX(kept_until, @keptUntil)
          WHERE code_hash = @codeHash AND used_at IS NULL`).run({ codeHash, usedAt, sessionId, keptUntil }).changes === 1,
    );
  }

  async getBySession(sessionId: string): Promise<AuthorizationCodeRow | undefined> {
    return guarded(() => this.q(`SELECT ${COLUMNS} FROM authorization_codes WHERE session_id = ?`).get(sessionId) as AuthorizationCodeRow | undefined);
  }

  async purge(before: number): Promise<number> {
    return guarded(() => this.q('DELETE FROM authorization_codes WHERE kept_until < ?').run(before).changes);
  }
}
