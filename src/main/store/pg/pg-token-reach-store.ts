/** `TokenReachStore` on PostgreSQL: the semantics of ../sqlite-token-reach-store.ts, on the (kid, expires_at) index. */
import type { TokenReachStore } from '../token-reach-store';
import type { SqlRunner } from './sub-store-sql';

export class PgTokenReachStore implements TokenReachStore {
  constructor(private readonly db: SqlRunner) {}

  async sessionIdsWithLiveTokensOfKid(kid: string, now: number, limit: number): Promise<string[]> {
    // DISTINCT over the live tokens of one key, stopping at `limit` sessions.
    const rows = await this.db.rows<{ id: string }>('SELECT DISTINCT session_id AS id FROM access_tokens WHERE kid = $1 AND expires_at > $2 LIMIT $3', [kid, now, limit]);
    return rows.map((row) => row.id);
  }

  async latestLiveExpiryOfKid(kid: string, now: number): Promise<number | undefined> {
    // One index probe: the last entry of the (kid, expires_at) index for this kid.
    const [row] = await this.db.rows<{ at: number | null }>('SELECT max(expires_at) AS at FROM access_tokens WHERE kid = $1 AND expires_at > $2', [kid, now]);
    return row?.at ?? undefined;
  }
}
