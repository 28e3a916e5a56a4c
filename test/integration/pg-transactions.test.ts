/**
 * PgStore's transactions (through AsyncLocalStorage: nested calls in savepoints, isolation from calls made
 * outside) and the refresh compare-and-set racing on two pooled connections and on two instances.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';
import { T0, client, refresh, session, sha, user } from './pg-fixtures';

/** A promise and its resolver: the test decides when a transaction may go on. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/**
 * Resolves once some backend of this database waits for a lock (the racing UPDATE reached the row and blocks
 * behind the open transaction). Bounded: polls pg_stat_activity at most 500 times.
 */
async function someoneWaitsForALock(store: PgStore): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const row = await store.database.row<{ n: number }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if ((row?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no backend ever waited for the row lock');
}

describePg('PgStore transactions', () => {
  let url: string;
  let store: PgStore;
  let other: PgStore;
  beforeAll(async () => {
    url = await freshDatabase();
    store = await openTestPgStore({ url });
    other = await openTestPgStore({ url });
    await store.insertClient(client('app'));
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
  });

  it('rolls back everything when the outermost call throws', async () => {
    await expect(store.transaction(async () => {
      await store.insertUser(user({ id: 'gone', username: 'gone' }));
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.getUser('gone')).toBeUndefined();
    expect(await store.countUsers()).toBe(0);
  });

  it('undoes only a nested call that throws; the outer one commits the rest', async () => {
    const result = await store.transaction(async () => {
      await store.insertUser(user({ id: 'kept', username: 'kept' }));
      await expect(store.transaction(async () => {
        await store.insertUser(user({ id: 'undone', username: 'undone' }));
        throw new Error('inner');
      })).rejects.toThrow('inner');
      // A store error inside a nested call (the statement failed: PostgreSQL aborts up to the savepoint only).
      await expect(store.transaction(() => store.insertUser(user({ id: 'kept', username: 'again' })))).rejects.toMatchObject({ code: 'conflict' });
      await store.transaction(() => store.insertUser(user({ id: 'nested', username: 'nested' })));
      return 'done';
    });
    expect(result).toBe('done');
    expect(await store.getUser('kept')).toBeDefined();
    expect(await store.getUser('nested')).toBeDefined();
    expect(await store.getUser('undone')).toBeUndefined();
  });

  it('never commits a transaction PostgreSQL aborted, even when the failure was caught', async () => {
    await expect(store.transaction(async () => {
      await store.insertUser(user({ id: 'half', username: 'half' }));
      await store.insertUser(user({ id: 'half', username: 'half2' })).catch(() => {});
    })).rejects.toMatchObject({ code: 'storage_error' });
    expect(await store.getUser('half')).toBeUndefined();
  });

  it('keeps uncommitted writes from calls made outside the transaction (another connection), until commit', async () => {
    const inside = gate();
    const written = gate();
    const tx = store.transaction(async () => {
      await store.insertUser(user({ id: 'pending', username: 'pending' }));
      expect(await store.getUser('pending')).toBeDefined();
      written.open();
      await inside.opened;
    });
    await written.opened;
    // This call is not in the transaction's async context: it runs on another pooled connection.
    expect(await store.getUser('pending')).toBeUndefined();
    inside.open();
    await tx;
    expect(await store.getUser('pending')).toBeDefined();
  });

  it('refuses a durable transaction nested in a routine one, and a query escaping its transaction', async () => {
    await expect(store.transaction(() => store.transaction(async () => 1, { durable: true }))).rejects.toThrow(TypeError);
    await expect(store.transaction(async () => 2, { durable: true })).resolves.toBe(2);
    // The escaping call is made in the transaction's async context but only once it has ended (a timer could fire
    // while COMMIT is still in flight on a busy machine), and its refusal is observed at once (no unhandled rejection).
    let ended!: () => void;
    const afterEnd = new Promise<void>((resolve) => (ended = resolve));
    let escaped: Promise<unknown> | undefined;
    await store.transaction(async () => {
      escaped = afterEnd.then(() => store.getUser('kept'));
      escaped.catch(() => undefined);
    });
    ended();
    await expect(escaped).rejects.toThrow(/after its transaction ended/);
  });

  it('lets exactly one of two racing refreshes win: the loser waits for the row lock, then sees the token used', async () => {
    await store.insertUser(user({ id: 'race', username: 'race' }));
    const s = session({ id: 'race-s', userId: 'race' });
    await store.insertSession(s);
    await store.insertRefreshToken(refresh(s, 'contested'));
    const hold = gate();
    const marked = gate();
    const first = store.transaction(async () => {
      const won = await store.markRefreshTokenUsed(sha('contested'), T0 + 1, sha('a'));
      marked.open();
      await hold.opened;
      return won;
    });
    await marked.opened;
    // The second instance's UPDATE blocks behind the first's row lock until it commits.
    const second = other.markRefreshTokenUsed(sha('contested'), T0 + 2, sha('b'));
    await someoneWaitsForALock(store);
    hold.open();
    expect([await first, await second]).toEqual([true, false]);
    expect(await store.getRefreshToken(sha('contested'))).toMatchObject({ usedAt: T0 + 1, successorHash: sha('a') });
  });

  it('races many tokens on two instances at once: one winner per token', async () => {
    await store.insertUser(user({ id: 'many', username: 'many' }));
    const s = session({ id: 'many-s', userId: 'many' });
    await store.insertSession(s);
    const names = Array.from({ length: 20 }, (_, i) => `t${i}`);
    for (const name of names) await store.insertRefreshToken(refresh(s, name));
    const results = await Promise.all(names.flatMap((name) => [
      store.markRefreshTokenUsed(sha(name), T0, sha(`${name}-a`)),
      other.markRefreshTokenUsed(sha(name), T0, sha(`${name}-b`)),
    ]));
    for (let i = 0; i < names.length; i++) expect([results[2 * i], results[2 * i + 1]].filter(Boolean)).toHaveLength(1);
  });

  it('shares one instance id between instances on one database', () => {
    expect(other.instanceId()).toBe(store.instanceId());
  });
});
