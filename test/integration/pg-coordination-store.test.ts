/**
 * The PostgreSQL coordination store (src/main/store/pg/pg-coordination-store.ts) seen from two stores on one
 * database, as two instances see it: a lock is held to the end of its transaction and the next holder reads what
 * the previous one committed; attempt leases count across stores, end on release, and stop counting once expired
 * (a dead instance's attempts); decisions on one key are taken one at a time.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';

describePg('coordination across two stores on one database', () => {
  let one: PgStore;
  let two: PgStore;
  beforeAll(async () => {
    const url = await freshDatabase();
    one = await openTestPgStore({ url });
    two = await openTestPgStore({ url });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('holds a lock until its transaction commits; the next holder then sees the commit', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = one.transaction(async () => {
      await one.coordination.lock('settings');
      locked();
      await held;
      await one.putSetting('coordination-test', 'written under the lock');
    });
    await isLocked;
    const order: string[] = [];
    const second = two.transaction(async () => {
      await two.coordination.lock('settings');
      order.push(`second read: ${await two.getSetting('coordination-test')}`);
    });
    order.push('first commits');
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second read: written under the lock']);
    await expect(one.coordination.lock('keys')).rejects.toThrow(TypeError);
  });

  it('counts leases across stores, forgets released and expired ones', async () => {
    const leases = [one.coordination.attemptLeases!, two.coordination.attemptLeases!];
    const counted: number[] = [];
    const admitUpTo = (max: number) => (inFlight: number) => {
      counted.push(inFlight);
      return inFlight < max;
    };
    // Eight decisions at once over both stores on one key with room for three: three leases, the rest refused.
    const decisions = await Promise.all(Array.from({ length: 8 }, (_, i) => leases[i % 2]!.decide('user:u1', 60_000, admitUpTo(3))));
    expect(decisions.filter((d) => d.lease !== undefined)).toHaveLength(3);
    expect(counted.slice().sort()).toEqual([0, 1, 2, 3, 3, 3, 3, 3]);
    for (const d of decisions) if (d.lease) await leases[1]!.release(d.lease);
    expect((await leases[0]!.decide('user:u1', 60_000, () => false)).inFlight).toBe(0);
    // A lease nobody releases (its instance died) stops counting when it expires, by the database's clock.
    expect((await leases[0]!.decide('user:u2', 30, () => true)).lease).toBeDefined();
    expect((await leases[1]!.decide('user:u2', 30, () => false)).inFlight).toBe(1);
    const started = performance.now();
    while ((await leases[1]!.decide('user:u2', 30, () => false)).inFlight !== 0) {
      if (performance.now() - started > 5_000) throw new Error('the expired lease still counts');
    }
    expect(await leases[0]!.purgeExpired()).toBe(1);
  });
});
