/** `AuthorizationCodeStore` on PostgreSQL (table in ./sub-store-schema.ts); the semantics of ../sqlite-authorization-code-store.ts. */
import type { AuthorizationCodeRow, AuthorizationCodeStore } from '../authorization-code-store';
import { checkSha256Hex } from '../store-arguments';
import { columns, type SqlRunner } from './sub-store-sql';

const COLUMN_MAP = {
  codeHash: 'code_hash', clientId: 'client_id', userId: 'user_id', browserSessionId: 'browser_session_id', redirectUri: 'redirect_uri',
  codeChallenge: 'code_challenge', scope: 'scope', nonce: 'nonce', authTime: 'auth_time', createdAt: 'created_at', expiresAt: 'expires_at',
  usedAt: 'used_at', sessionId: 'session_id', keptUntil: 'kept_until',
};
const COLUMNS = columns(COLUMN_MAP);
const KEYS = Object.keys(COLUMN_MAP) as (keyof AuthorizationCodeRow)[];

export class PgAuthorizationCodeStore implements AuthorizationCodeStore {
  constructor(private readonly db: SqlRunner) {}

  async insert(row: AuthorizationCodeRow): Promise<void> {
    checkSha256Hex(row.codeHash, 'codeHash');
    await this.db.run(`INSERT INTO authorization_codes (${Object.values(COLUMN_MAP).join(', ')}) VALUES (${KEYS.map((_, i) => `$${i + 1}`).join(', ')})`,
      KEYS.map((key) => row[key]));
  }

  async get(codeHash: string): Promise<AuthorizationCodeRow | undefined> {
    return (await this.db.rows<AuthorizationCodeRow>(`SELECT ${COLUMNS} FROM authorization_codes WHERE code_hash = $1`, [codeHash]))[0];
  }

  async markUsed(codeHash: string, usedAt: number, sessionId: string, keptUntil: number): Promise<boolean> {
    // A compare-and-set: of two transactions racing on one code, the second waits for the first's row lock,
    // re-reads the row (READ COMMITTED) and finds used_at set.
    const changed = await this.db.run(`UPDATE authorization_codes SET used_at = $2, session_id = $3, kept_until = greatest(kept_until, $4)
      WHERE code_hash = $1 AND used_at IS NULL`, [codeHash, usedAt, sessionId, keptUntil]);
    return changed === 1;
  }

  async getBySession(sessionId: string): Promise<AuthorizationCodeRow | undefined> {
    return (await this.db.rows<AuthorizationCodeRow>(`SELECT ${COLUMNS} FROM authorization_codes WHERE session_id = $1`, [sessionId]))[0];
  }

  purge(before: number): Promise<number> {
    return this.db.run('DELETE FROM authorization_codes WHERE kept_until < $1', [before]);
  }
}
