/**
 * store.coordination.feedPresence (src/main/store/feed-presence-store.ts): on every store, present exactly
 * where other instances may share the database (PostgreSQL) and absent on SQLite (the process is the
 * deployment: nothing written). On PostgreSQL, two stores on one database as two instances: each one's
 * heartbeat replaces its own rows only, the other reads them, expired rows are not read and are removed by
 * the next heartbeat of any instance, a clean leave removes them at once, and rows are capped.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FEED_PRESENCE_CAP, type FeedPresenceStore } from '../../src/main/store/feed-presence-store';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { onEveryStore, type StoreHarness } from '../helpers/every-store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';

const MINUTE = 60_000;

onEveryStore('warden-feed-presence-', (label, open) => {
  describe(`feed presence: ${label}`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(() => h.cleanup());

    it('exists where instances share the database, and only there', () => {
      expect(h.store.coordination.feedPresence !== undefined).toBe(h.store.changes.shared);
    });
  });
});

describePg('FeedPresenceStore on PostgreSQL: two instances on one database', () => {
  let a: PgStore;
  let b: PgStore;
  let presenceA: FeedPresenceStore;
  let presenceB: FeedPresenceStore;
  let url: string;
  beforeEach(async () => {
    url = await freshDatabase();
    [a, b] = [await openTestPgStore({ url }), await openTestPgStore({ url })];
    presenceA = a.coordination.feedPresence!;
    presenceB = b.coordination.feedPresence!;
  });
  afterEach(async () => {
    await a.close();
    await b.close();
  });
  const row = (clientId: string, lastEventId = 1) => ({ clientId, connections: 2, connectedAt: 1_000 + lastEventId, lastEventId });

  it("reads the other instance's rows, never its own", async () => {
    await presenceA.heartbeat('inst-a', [row('api-1', 5), row('api-2', 3)], MINUTE);
    await presenceB.heartbeat('inst-b', [row('api-1', 4)], MINUTE);
    expect(await presenceB.others('inst-b')).toEqual([
      { instance: 'inst-a', clientId: 'api-2', connections: 2, connectedAt: 1_003, lastEventId: 3 },
      { instance: 'inst-a', clientId: 'api-1', connections: 2, connectedAt: 1_005, lastEventId: 5 },
    ]);
    expect(await presenceA.others('inst-a')).toEqual([{ instance: 'inst-b', clientId: 'api-1', connections: 2, connectedAt: 1_004, lastEventId: 4 }]);
  });

  it("replaces only the writer's rows: a client gone is gone, the other instance's rows stay", async () => {
    await presenceA.heartbeat('inst-a', [row('api-1'), row('api-2')], MINUTE);
    await presenceB.heartbeat('inst-b', [row('api-3')], MINUTE);
    await presenceA.heartbeat('inst-a', [row('api-2', 9)], MINUTE);
    expect((await presenceB.others('inst-b')).map((r) => [r.clientId, r.lastEventId])).toEqual([['api-2', 9]]);
    await presenceA.heartbeat('inst-a', [], MINUTE);
    expect(await presenceB.others('inst-b')).toEqual([]);
    expect((await presenceA.others('inst-a')).map((r) => r.clientId)).toEqual(['api-3']);
  });

  it('does not read an expired row, and the next heartbeat of any instance removes it', async () => {
    await presenceA.heartbeat('inst-a', [row('api-2')], MINUTE);
    await presenceA.heartbeat('inst-dead', [row('api-1')], 0);
    expect((await presenceB.others('inst-b')).map((r) => r.instance)).toEqual(['inst-a']);
    const count = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ instance: string; n: number }>('SELECT instance, count(*)::int AS n FROM feed_presence GROUP BY instance ORDER BY instance');
        return rows;
      } finally {
        await client.end();
      }
    };
    expect(await count()).toEqual([{ instance: 'inst-a', n: 1 }, { instance: 'inst-dead', n: 1 }]);
    await presenceB.heartbeat('inst-b', [], MINUTE);
    // The dead instance's row is gone from the table, not only from reads.
    expect(await count()).toEqual([{ instance: 'inst-a', n: 1 }]);
  });

  it('heartbeats of several instances at once, all cleaning up the same expired rows, all commit', async () => {
    const c = await openTestPgStore({ url });
    try {
      const stores = [presenceA, presenceB, c.coordination.feedPresence!];
      const dead = Array.from({ length: 60 }, (_, k) => row(`api-${k}`, k + 1));
      for (const name of ['dead-1', 'dead-2', 'dead-3']) await presenceA.heartbeat(name, dead, 0);
      // One heartbeat at a time per instance (as FeedPresence writes), the three instances' at once.
      for (let round = 0; round < 8; round++) {
        await Promise.all(stores.map((store, i) => store.heartbeat(`inst-${i}`, dead.slice(0, 20 + round), MINUTE)));
      }
      const listed = await presenceA.others('nobody');
      expect(new Set(listed.map((r) => r.instance))).toEqual(new Set(['inst-0', 'inst-1', 'inst-2']));
      expect(listed.filter((r) => r.instance === 'inst-0')).toHaveLength(27);
    } finally {
      await c.close();
    }
  });

  it('removes an instance that leaves at once', async () => {
    await presenceA.heartbeat('inst-a', [row('api-1'), row('api-2')], MINUTE);
    await presenceA.leave('inst-a');
    expect(await presenceB.others('inst-b')).toEqual([]);
  });

  it(`keeps at most ${FEED_PRESENCE_CAP} rows per heartbeat and reads at most as many`, async () => {
    const many = Array.from({ length: FEED_PRESENCE_CAP + 40 }, (_, k) => row(`api-${String(k).padStart(5, '0')}`, k + 1));
    await presenceA.heartbeat('inst-a', many, MINUTE);
    await presenceB.heartbeat('inst-b', [row('api-b', 1)], MINUTE);
    const read = await presenceB.others('inst-b');
    expect(read).toHaveLength(FEED_PRESENCE_CAP);
    // The first rows given are the ones kept.
    expect(read.at(-1)!.clientId).toBe(`api-${String(FEED_PRESENCE_CAP - 1).padStart(5, '0')}`);
    expect(await presenceA.others('inst-a')).toHaveLength(1);
  });

  it('refuses a negative or fractional lifetime (caller misuse)', () => {
    expect(() => presenceA.heartbeat('inst-a', [], -1)).toThrow(TypeError);
    expect(() => presenceA.heartbeat('inst-a', [], 1.5)).toThrow(TypeError);
  });
});
