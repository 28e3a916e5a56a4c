/**
 * The feed's deployment-wide subscriber list (src/main/http/feed-presence.ts) against a recording presence
 * store: this instance's connections folded per client into its heartbeat (rows alive three periods), the
 * other instances' rows listed after its own connections, its own rows never read back, nothing written
 * without a presence store (SQLite), and its rows removed on a clean stop with the timer ended.
 */
import { describe, expect, it } from 'vitest';
import { foldByClient, startFeedPresence } from '../../../src/main/http/feed-presence';
import type { FeedSubscriber } from '../../../src/main/http/feed-endpoint';
import type { FeedPresenceRow, FeedPresenceStore } from '../../../src/main/store/feed-presence-store';

class RecordingPresence implements FeedPresenceStore {
  readonly beats: Array<{ instance: string; rows: readonly Omit<FeedPresenceRow, 'instance'>[]; ttlMs: number }> = [];
  readonly left: string[] = [];
  readonly rows: FeedPresenceRow[] = [];
  async heartbeat(instance: string, rows: readonly Omit<FeedPresenceRow, 'instance'>[], ttlMs: number) {
    this.beats.push({ instance, rows, ttlMs });
  }
  async others(except: string) {
    return this.rows.filter((row) => row.instance !== except);
  }
  async leave(instance: string) {
    this.left.push(instance);
  }
}

const fault = (where: string, error: unknown) => {
  throw new Error(`${where}: ${String(error)}`);
};

describe('feed presence', () => {
  it('folds connections per client: count, oldest connection, highest event sent', () => {
    const connections: FeedSubscriber[] = [
      { clientId: 'api-1', connectedAt: 30, lastEventId: 4 },
      { clientId: 'api-2', connectedAt: 20, lastEventId: 9 },
      { clientId: 'api-1', connectedAt: 10, lastEventId: 7 },
    ];
    expect(foldByClient(connections)).toEqual([
      { clientId: 'api-1', connections: 2, connectedAt: 10, lastEventId: 7 },
      { clientId: 'api-2', connections: 1, connectedAt: 20, lastEventId: 9 },
    ]);
  });

  it("writes this instance's rows at start and on beat, lists the others' after its own, and leaves on stop", async () => {
    const store = new RecordingPresence();
    let local: FeedSubscriber[] = [{ clientId: 'api-a', connectedAt: 5, lastEventId: 1 }];
    const presence = startFeedPresence({ store, local: () => local, logFault: fault, periodMs: 60_000 });
    await presence.beat();
    const instance = store.beats[0]!.instance;
    expect(store.beats[0]).toEqual({ instance, rows: [{ clientId: 'api-a', connections: 1, connectedAt: 5, lastEventId: 1 }], ttlMs: 180_000 });
    store.rows.push(
      { instance, clientId: 'api-a', connections: 1, connectedAt: 5, lastEventId: 1 },
      { instance: 'other', clientId: 'api-b', connections: 3, connectedAt: 2, lastEventId: 8 },
    );
    local = [...local, { clientId: 'api-c', connectedAt: 6, lastEventId: 2 }];
    expect(await presence.subscribers()).toEqual([
      { clientId: 'api-a', connectedAt: 5, lastEventId: 1 },
      { clientId: 'api-c', connectedAt: 6, lastEventId: 2 },
      { clientId: 'api-b', connectedAt: 2, lastEventId: 8 },
    ]);
    await presence.beat();
    expect(store.beats.at(-1)!.rows.map((row) => row.clientId)).toEqual(['api-a', 'api-c']);
    await presence.stop();
    expect(store.left).toEqual([instance]);
    const beats = store.beats.length;
    await presence.beat();
    expect(store.beats).toHaveLength(beats);
  });

  it('without a presence store (SQLite) lists only its own connections and writes nothing', async () => {
    const presence = startFeedPresence({ store: undefined, local: () => [{ clientId: 'api-a', connectedAt: 5, lastEventId: 1 }], logFault: fault });
    expect(await presence.subscribers()).toEqual([{ clientId: 'api-a', connectedAt: 5, lastEventId: 1 }]);
    await presence.beat();
    await presence.stop();
  });

  it('reports a failed heartbeat as a fault and keeps going', async () => {
    const store = new RecordingPresence();
    let fails = true;
    store.heartbeat = async (instance, rows, ttlMs) => {
      if (fails) throw new Error('database away');
      store.beats.push({ instance, rows, ttlMs });
    };
    const faults: string[] = [];
    const presence = startFeedPresence({ store, local: () => [], logFault: (where, error) => faults.push(`${where}: ${(error as Error).message}`), periodMs: 60_000 });
    await presence.beat();
    expect(faults).toEqual(['feed presence: database away']);
    fails = false;
    await presence.beat();
    expect(store.beats).toHaveLength(1);
    await presence.stop();
  });
});
