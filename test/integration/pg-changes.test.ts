/**
 * Deployment signals on PostgreSQL (src/main/store/pg/pg-changes.ts): two stores on one database hear what either
 * announced once the announcing transaction commits, nothing of a rolled-back one, and a store whose listening
 * connection was killed hears 'resync' once it is back, then later announcements again. SQLite's are a no-op.
 *
 * Absence is proved without waiting for time to pass: a later announcement (a marker) is delivered after every
 * earlier commit's (PostgreSQL delivers notifications in commit order), so once the marker is heard, whatever
 * was not heard before it never will be.
 */
import { afterAll, afterEach, expect, it } from 'vitest';
import { openStore } from '../../src/main/store';
import type { ChangeTopic } from '../../src/main/store/store';
import { openPgStore, type PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, destroyCluster, freshDatabase, openTestPgStore, sqlOnce, startCluster, type PostgresCluster } from '../helpers/postgres';

type Heard = ChangeTopic | 'resync';

/** What one store's subscriber heard, in order, and a way to await a topic. */
function record(store: PgStore) {
  const heard: Heard[] = [];
  const waiters: { topic: Heard; resolve: () => void }[] = [];
  store.changes.subscribe((topic) => {
    heard.push(topic);
    for (const waiter of waiters.filter((w) => w.topic === topic)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  return {
    heard,
    /** Resolves when `topic` is heard (after the call). */
    next: (topic: Heard) => new Promise<void>((resolve) => waiters.push({ topic, resolve })),
  };
}

describePg('deployment signals on PostgreSQL (LISTEN/NOTIFY)', () => {
  const open: PgStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  const twoStores = async () => {
    const url = await freshDatabase();
    const a = await openTestPgStore({ url });
    open.push(a);
    const b = await openTestPgStore({ url });
    open.push(b);
    return { url, a, b };
  };

  it('is shared: an announcement inside a committed transaction is heard by both stores, after the commit', async () => {
    const { a, b } = await twoStores();
    expect(a.changes.shared).toBe(true);
    const onA = record(a);
    const onB = record(b);
    const heardByA = onA.next('revocations');
    const heardByB = onB.next('revocations');
    await a.transaction(async () => {
      await a.changes.announce('revocations');
      await a.changes.announce('revocations'); // folded by PostgreSQL into one
      // Not yet: the transaction has not committed. The marker outside it is delivered at once (awaited from
      // before announcing: it may arrive before the announcing statement's answer).
      const settings = onB.next('settings');
      await b.changes.announce('settings');
      await settings;
      expect(onB.heard).toEqual(['settings']);
    });
    await Promise.all([heardByA, heardByB]);
    // Folded: one 'revocations' each. A marker after it proves nothing else is on its way.
    const marker = Promise.all([onA.next('audit'), onB.next('audit')]);
    await b.changes.announce('audit');
    await marker;
    expect(onA.heard).toEqual(['settings', 'revocations', 'audit']);
    expect(onB.heard).toEqual(['settings', 'revocations', 'audit']);
  });

  it('tells nobody of an announcement inside a transaction that rolled back', async () => {
    const { a, b } = await twoStores();
    const onA = record(a);
    const onB = record(b);
    const failure = new Error('undo');
    await expect(a.transaction(async () => {
      await a.changes.announce('keys');
      throw failure;
    })).rejects.toBe(failure);
    // A nested transaction's rollback takes its announcement with it; the outer one's commits.
    await a.transaction(async () => {
      await a.transaction(async () => {
        await a.changes.announce('clients');
        throw failure;
      }).catch(() => {});
      await a.changes.announce('outbox');
    });
    const marker = Promise.all([onA.next('audit'), onB.next('audit')]);
    await a.changes.announce('audit');
    await marker;
    expect(onA.heard).toEqual(['outbox', 'audit']);
    expect(onB.heard).toEqual(['outbox', 'audit']);
  });

  it("hears 'resync' once its killed listening connection is back, and later announcements again", async () => {
    const { url, a, b } = await twoStores();
    const onA = record(a);
    const onB = record(b);
    const pid = a.changes.listenerPid();
    expect(pid).toEqual(expect.any(Number));
    const resynced = onA.next('resync');
    const { rows } = await sqlOnce(url, 'SELECT pg_terminate_backend($1) AS ended', [pid]);
    expect(rows[0]).toEqual({ ended: true });
    await resynced;
    expect(a.changes.listenerPid()).not.toBe(pid);
    const heard = Promise.all([onA.next('keys'), onB.next('keys')]);
    await b.changes.announce('keys');
    await heard;
    expect(onA.heard).toEqual(['resync', 'keys']);
    // The other store's connection was never lost: no resync there.
    expect(onB.heard).toEqual(['keys']);
  });

  it('stops listening when the store closes', async () => {
    const { url, a } = await twoStores();
    const count = async () => Number((await sqlOnce(url, "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'token-warden changes' AND datname = current_database()")).rows[0].n);
    expect(await count()).toBe(2); // one dedicated listening connection per store, beside the pools
    open.splice(open.indexOf(a), 1);
    await a.close();
    expect(a.changes.listenerPid()).toBeUndefined();
  });
});

describePg('deployment signals while the database server is away', () => {
  let cluster: PostgresCluster | undefined;
  afterAll(async () => {
    if (cluster) await destroyCluster(cluster);
  });

  it("keeps reconnecting (bounded backoff) while the server is down, then says 'resync' and hears again", async () => {
    cluster = await startCluster();
    const url = cluster.urlFor('postgres');
    const failures: string[] = [];
    const store = await openPgStore({ url, connectTimeoutMs: 2_000, onBackgroundError: (message) => failures.push(message) });
    try {
      const heard = record(store);
      const resynced = heard.next('resync');
      await cluster.stop();
      // Down: the loss and failed reconnects are reported, never thrown.
      await until(() => failures.some((message) => /could not reconnect/.test(message)));
      await cluster.start();
      await resynced;
      const keys = heard.next('keys');
      await store.changes.announce('keys');
      await keys;
      expect(heard.heard).toEqual(['resync', 'keys']);
      // (The pool's idle connections report their loss through the same callback.)
      expect(failures.some((message) => /change listener's database connection was lost/.test(message)), failures.join('\n')).toBe(true);
    } finally {
      await store.close();
    }
  }, 60_000);
});

/** Resolves once `test()` holds, checked every 20 ms, for at most 20 s (a background retry has no event to await). */
async function until(test: () => boolean): Promise<void> {
  for (let k = 0; k < 1000 && !test(); k++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!test()) throw new Error('condition not met within 20 s');
}

it('SQLite: not shared, and announcing is a no-op', async () => {
  const store = openStore(':memory:');
  try {
    expect(store.changes.shared).toBe(false);
    const heard: string[] = [];
    const unsubscribe = store.changes.subscribe((topic) => heard.push(topic));
    await store.transaction(() => store.changes.announce('revocations'));
    await store.changes.announce('audit');
    unsubscribe();
    expect(heard).toEqual([]);
  } finally {
    await store.close();
  }
});
