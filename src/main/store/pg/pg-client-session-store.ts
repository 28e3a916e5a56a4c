/** `ClientSessionStore` on PostgreSQL: the semantics of ../sqlite-client-session-store.ts, on sessions_search_client_live. */
import type { ClientSessionStore } from '../client-session-store';
import type { SqlRunner } from './sub-store-sql';

export class PgClientSessionStore implements ClientSessionStore {
  constructor(private readonly db: SqlRunner) {}

  async liveSessionIdsOf(clientId: string, now: number, limit?: number): Promise<string[]> {
    // LIMIT NULL is PostgreSQL's "no limit": one statement for both uses.
    const rows = await this.db.rows<{ id: string }>(`SELECT id FROM sessions WHERE client_id = $1 AND revoked_at IS NULL AND live_until > $2
      ORDER BY live_until DESC LIMIT $3`, [clientId, now, limit ?? null]);
    return rows.map((row) => row.id);
  }

  async countLiveSessionsOf(clientId: string, now: number): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE client_id = $1 AND revoked_at IS NULL AND live_until > $2', [clientId, now]);
    return row!.n;
  }
}
