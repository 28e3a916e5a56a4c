/** `TokenReachStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import type { TokenReachStore } from './token-reach-store';

export class SqliteTokenReachStore implements TokenReachStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async sessionIdsWithLiveTokensOfKid(kid: string, now: number, limit: number): Promise<string[]> {
    // access_tokens_kid (kid, expires_at) walks the live ones only; DISTINCT stops at `limit` sessions.
    const rows = this.q('SELECT DISTINCT session_id AS id FROM access_tokens WHERE kid = ? AND expires_at > ? LIMIT ?')
      .all(kid, now, limit) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async latestLiveExpiryOfKid(kid: string, now: number): Promise<number | undefined> {
    // One index probe: the last entry of access_tokens_kid for this kid.
    const row = this.q('SELECT MAX(expires_at) AS at FROM access_tokens WHERE kid = ? AND expires_at > ?').get(kid, now) as { at: number | null };
    return row.at ?? undefined;
  }
}
