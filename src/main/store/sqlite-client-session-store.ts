/** `ClientSessionStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import type { ClientSessionStore } from './client-session-store';

export class SqliteClientSessionStore implements ClientSessionStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async liveSessionIdsOf(clientId: string, now: number, limit?: number): Promise<string[]> {
    // LIMIT -1 is SQLite's "no limit": one statement for both uses.
    const rows = this.q(`SELECT id FROM sessions WHERE client_id = ? AND revoked_at IS NULL AND live_until > ?
      ORDER BY live_until DESC LIMIT ?`).all(clientId, now, limit ?? -1) as { id: string }[];
    return rows.map((row) => row.id);
  }

  async countLiveSessionsOf(clientId: string, now: number): Promise<number> {
    const row = this.q(`SELECT COUNT(*) AS n FROM sessions WHERE client_id = ? AND revoked_at IS NULL AND live_until > ?`)
      .get(clientId, now) as { n: number };
    return row.n;
  }
}
