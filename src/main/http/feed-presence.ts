/**
 * The feed's subscribers of the whole deployment, for the console's receipt (listFeedReceipts): this
 * instance's connections from memory (always fresh), and on a shared store (PostgreSQL, several instances)
 * the other instances' from their presence rows (../store/feed-presence-store.ts). Each instance writes its
 * own rows once per heartbeat period, whatever the connections do meanwhile (no write on the hot path), each
 * row alive for TTL_PERIODS periods: an instance that dies (kill -9) leaves every list within that time, one
 * that stops cleanly removes its rows at once. Another instance's `lastEventId` is as of its last heartbeat.
 * On SQLite the store has no presence: the process is the deployment and its memory the list.
 */
import { randomBytes } from 'node:crypto';
import type { FeedPresenceRow, FeedPresenceStore } from '../store/feed-presence-store';
import type { FeedSubscriber } from './feed-endpoint';

/** Default heartbeat period (ms). */
export const FEED_PRESENCE_PERIOD_MS = 5_000;
/** A row outlives this many missed heartbeats less one: a slow write or a busy pool is not a death. */
const TTL_PERIODS = 3;

export interface FeedPresenceOptions {
  /** The store's presence (undefined on SQLite: only local subscribers are listed, nothing is written). */
  store: FeedPresenceStore | undefined;
  /** This instance's connected subscribers, one entry per connection (RevocationFeed.subscribers). */
  local: () => FeedSubscriber[];
  logFault: (where: string, error: unknown) => void;
  periodMs?: number;
}

export interface FeedPresence {
  /** Every subscriber of the deployment: this instance's connections, then the other instances' rows. */
  subscribers(): Promise<FeedSubscriber[]>;
  /** Writes this instance's rows now (also what the timer does); resolves when committed. */
  beat(): Promise<void>;
  /** Stops the heartbeat and removes this instance's rows. */
  stop(): Promise<void>;
}

/** One row per client: its connection count, oldest connection, highest event sent. */
export function foldByClient(connections: readonly FeedSubscriber[]): Omit<FeedPresenceRow, 'instance'>[] {
  const byClient = new Map<string, Omit<FeedPresenceRow, 'instance'>>();
  for (const { clientId, connectedAt, lastEventId } of connections) {
    const row = byClient.get(clientId);
    if (!row) byClient.set(clientId, { clientId, connections: 1, connectedAt, lastEventId });
    else {
      row.connections += 1;
      row.connectedAt = Math.min(row.connectedAt, connectedAt);
      row.lastEventId = Math.max(row.lastEventId, lastEventId);
    }
  }
  return [...byClient.values()];
}

export function startFeedPresence(options: FeedPresenceOptions): FeedPresence {
  const { store, local, logFault } = options;
  const periodMs = options.periodMs ?? FEED_PRESENCE_PERIOD_MS;
  // Random per process start: a restarted instance's old rows simply expire.
  const instance = randomBytes(12).toString('base64url');
  let writing: Promise<void> | undefined;
  let stopped = false;

  const beat = (): Promise<void> => {
    if (!store || stopped) return Promise.resolve();
    // One write at a time: a timer firing while the last one is still out skips (the next one comes).
    writing ??= store
      .heartbeat(instance, foldByClient(local()), periodMs * TTL_PERIODS)
      .catch((error: unknown) => logFault('feed presence', error))
      .finally(() => {
        writing = undefined;
      });
    return writing;
  };
  const timer = store ? setInterval(() => void beat(), periodMs) : undefined;
  timer?.unref();
  void beat();

  return {
    beat,
    async subscribers() {
      const mine = local();
      if (!store) return mine;
      const others = await store.others(instance);
      return [...mine, ...others.map(({ clientId, connectedAt, lastEventId }) => ({ clientId, connectedAt, lastEventId }))];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await writing;
      if (store) await store.leave(instance).catch((error: unknown) => logFault('feed presence', error));
    },
  };
}
