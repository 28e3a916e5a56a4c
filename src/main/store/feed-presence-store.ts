/**
 * Who is subscribed to the revocation feed on the OTHER instances of a deployment (area H7: the console's
 * receipt lists every resource server subscribed anywhere, docs/postgres.md "Several instances"). Each
 * instance writes its own subscribers as rows that expire (one heartbeat write per period, never per
 * connection event), so an instance that dies (kill -9) drops out of every list once its rows expire.
 * PostgreSQL only: on SQLite one process is the deployment and its feed's memory is the whole list
 * (CoordinationStore.feedPresence is undefined there).
 */

/** One instance's subscribers of one client, folded over that client's connections. */
export interface FeedPresenceRow {
  /** The writing instance's presence id (random per process start). */
  instance: string;
  clientId: string;
  /** How many feed connections the client holds on that instance. */
  connections: number;
  /** When its oldest connection there connected (that instance's clock, ms). */
  connectedAt: number;
  /** The highest feed event id sent to it there, as of the last heartbeat. */
  lastEventId: number;
}

/** Rows one instance may write, and rows a read returns: bounded (the feed caps connections at 1024 by default). */
export const FEED_PRESENCE_CAP = 1024;

export interface FeedPresenceStore {
  /**
   * In one transaction: replaces `instance`'s rows by `rows` (at most FEED_PRESENCE_CAP, the first kept),
   * each alive until `ttlMs` from now by the database's clock, and removes every expired row (of any
   * instance). An empty `rows` removes the instance's rows.
   */
  heartbeat(instance: string, rows: readonly Omit<FeedPresenceRow, 'instance'>[], ttlMs: number): Promise<void>;
  /** The unexpired rows of every instance but `except`, oldest connection first, at most FEED_PRESENCE_CAP. */
  others(except: string): Promise<FeedPresenceRow[]>;
  /** Removes `instance`'s rows (a clean stop). */
  leave(instance: string): Promise<void>;
}
