/**
 * `FeedPresenceStore` on PostgreSQL (../feed-presence-store.ts): rows of `feed_presence` (migration 5) with an
 * expiry by the database's clock, the one clock every instance agrees on. A heartbeat is one transaction: the
 * instance's own rows are replaced by one multi-row INSERT (unnest), and the expired rows of any instance go.
 */
import { FEED_PRESENCE_CAP, type FeedPresenceRow, type FeedPresenceStore } from '../feed-presence-store';
import type { Db } from './db';

/** Now in ms by the database's clock (as ./pg-coordination-store.ts). */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

export class PgFeedPresenceStore implements FeedPresenceStore {
  constructor(private readonly db: Db) {}

  heartbeat(instance: string, rows: readonly Omit<FeedPresenceRow, 'instance'>[], ttlMs: number): Promise<void> {
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 0) throw new TypeError('heartbeat: ttlMs must be a non-negative integer');
    const kept = rows.slice(0, FEED_PRESENCE_CAP);
    return this.db.transaction(async () => {
      await this.db.run('DELETE FROM feed_presence WHERE instance = $1', [instance]);
      // Others' expired rows, skipping any another heartbeat is removing right now: two instances cleaning up at
      // once never wait on each other (no deadlock), whatever order their scans take.
      await this.db.run(`DELETE FROM feed_presence WHERE (instance, client_id) IN (
        SELECT instance, client_id FROM feed_presence WHERE expires_at <= ${DB_NOW} FOR UPDATE SKIP LOCKED)`);
      if (kept.length === 0) return;
      // ON CONFLICT: a client listed twice keeps its first row (the caller folds connections per client).
      await this.db.run(
        `INSERT INTO feed_presence (instance, client_id, connections, connected_at, last_event_id, expires_at)
         SELECT $1, c, n, at, last, ${DB_NOW} + $6 FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS r (c, n, at, last)
         ON CONFLICT (instance, client_id) DO NOTHING`,
        [instance, kept.map((r) => r.clientId), kept.map((r) => r.connections), kept.map((r) => r.connectedAt), kept.map((r) => r.lastEventId), ttlMs],
      );
    });
  }

  others(except: string): Promise<FeedPresenceRow[]> {
    return this.db.rows<FeedPresenceRow>(
      `SELECT instance, client_id AS "clientId", connections, connected_at AS "connectedAt", last_event_id AS "lastEventId"
       FROM feed_presence WHERE instance <> $1 AND expires_at > ${DB_NOW}
       ORDER BY connected_at, instance, client_id LIMIT ${FEED_PRESENCE_CAP}`,
      [except],
    );
  }

  async leave(instance: string): Promise<void> {
    await this.db.run('DELETE FROM feed_presence WHERE instance = $1', [instance]);
  }
}
