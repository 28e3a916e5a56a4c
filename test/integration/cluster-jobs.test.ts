/**
 * Periodic jobs once per deployment (issue 17, item 2), two instances on one PostgreSQL database sharing one test
 * clock. Key retirement: both instances' maintenance passes meet, and each due key is retired, and audited,
 * once (the keys lock and a re-read after it, src/main/engine/key-lifecycle.ts retireDueKeys). The service's
 * timer pass (`maintain({ everyMs })`) runs only when no instance has run one for that long, by the database's
 * clock (store.coordination.claimRun); the tally fold claims its period the same way.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { describePg, openTestPgStore } from '../helpers/postgres';
import { startPgInstances, type PgInstance, type PgInstances } from '../helpers/pg-instances';

describePg('periodic jobs with two instances', () => {
  const clock = new ManualClock(Date.now());
  let pair: PgInstances;
  let a: PgInstance;
  let b: PgInstance;
  beforeAll(async () => {
    // The service's own timers stay out of the way: the test runs the passes.
    pair = await startPgInstances(2, { clock, maintainIntervalMs: 3_600_000 });
    [a, b] = pair.instances as [PgInstance, PgInstance];
  }, 120_000);
  afterAll(async () => {
    await pair?.close();
  }, 60_000);

  const retiredEntries = async (kid: string) =>
    (await a.t.warden.engine.store.listAudit({ type: 'key.retired', limit: 100 })).filter((entry) => entry.data.kid === kid && entry.data.neverSigned === undefined);
  /** Rotates through A and moves the shared clock past the old key's retirement; returns that key's kid. */
  const retiringKeyDue = async () => {
    const active = (await a.admin('listKeys', {})).find((key) => key.status === 'active')!;
    await a.admin('rotateSigningKey', {});
    const row = await a.t.warden.engine.store.getKey(active.kid);
    expect(row?.status).toBe('retiring');
    clock.set(row!.retiresAt! + 1);
    return active.kid;
  };

  it('retires a due key once when both instances run maintenance at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const kid = await retiringKeyDue();
      await Promise.all([a.t.warden.engine.maintain(), b.t.warden.engine.maintain()]);
      expect((await a.t.warden.engine.store.getKey(kid))?.status).toBe('retired');
      expect(await retiredEntries(kid), `round ${round}`).toHaveLength(1);
    }
  });

  it("a timer's pass is skipped while another instance ran one within the period", async () => {
    const period = 3_600_000;
    // The last pass was long ago (every start ran one: its record is set back an hour and more)...
    const store = a.t.warden.engine.store as unknown as { database: { run(sql: string, params: unknown[]): Promise<number> } };
    await store.database.run("UPDATE meta SET value = '0' WHERE key = $1", ['job:maintain']);
    // ...so A's timer pass runs...
    const kid = await retiringKeyDue();
    await a.t.warden.engine.maintain({ everyMs: period });
    expect((await a.t.warden.engine.store.getKey(kid))?.status).toBe('retired');
    // ...so B's, within it, does nothing: the next due key waits for the next period.
    const next = await retiringKeyDue();
    await b.t.warden.engine.maintain({ everyMs: period });
    expect((await b.t.warden.engine.store.getKey(next))?.status).toBe('retiring');
    // A direct call (start-up, tests) always runs.
    await b.t.warden.engine.maintain();
    expect((await b.t.warden.engine.store.getKey(next))?.status).toBe('retired');
  });

  it('of many instances claiming one period at once, exactly one gets it', async () => {
    const stores = await Promise.all([0, 1, 2].map(() => openTestPgStore({ url: pair.database })));
    try {
      const claims = await Promise.all(stores.flatMap((store) => Array.from({ length: 8 }, () => store.coordination.claimRun('tally-fold', 60_000))));
      expect(claims.filter(Boolean)).toHaveLength(1);
      // The period has not passed: nobody gets it again; a period of 0 is always due.
      expect(await stores[1]!.coordination.claimRun('tally-fold', 60_000)).toBe(false);
      expect(await stores[2]!.coordination.claimRun('tally-fold', 0)).toBe(true);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
