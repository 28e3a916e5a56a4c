/**
 * PgStore's client-row cache (src/main/store/pg/pg-client-cache.ts) across two stores on one database, as two
 * instances: a change through one is seen by the other once its commit's 'clients' signal is heard (no timer:
 * the signal is awaited), a transaction reads its own write, a rolled-back change is never cached, a read in
 * flight while the cache drops is not kept, and 'resync' drops everything (a change missed while the listening
 * connection was down).
 *
 * That the cache serves from memory at all is shown by a write made behind its back (raw SQL, no signal): the
 * stores keep the row they read until a signal says otherwise, which is why every write path announces.
 */
import { afterEach, expect, it } from 'vitest';
import type { ChangeTopic, NewClientRow } from '../../src/main/store/store';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import { describePg, freshDatabase, openTestPgStore, sqlOnce } from '../helpers/postgres';

const CLIENT: NewClientRow = {
  clientId: 'app', kind: 'public', name: 'App', secretHash: null, createdAt: 1_000, redirectUris: ['https://app.example/cb'],
  postLogoutRedirectUris: [], backchannelLogoutUri: null, grantTypes: ['refresh_token', 'password'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};

/** Resolves when `store` hears `topic` (registered before the change that causes it). */
const heard = (store: PgStore, topic: ChangeTopic | 'resync') => new Promise<void>((resolve) => {
  const stop = store.changes.subscribe((t) => {
    if (t === topic) {
      stop();
      resolve();
    }
  });
});

describePg('the client-row cache of PgStore, across two stores on one database', () => {
  const open: PgStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  const twoStores = async () => {
    const url = await freshDatabase();
    const a = await openTestPgStore({ url });
    const b = await openTestPgStore({ url });
    open.push(a, b);
    const signal = heard(b, 'clients');
    await a.insertClient(CLIENT);
    await signal;
    // Both read (and so cache) the committed row.
    expect((await a.getClient('app'))?.name).toBe('App');
    expect((await b.getClient('app'))?.name).toBe('App');
    return { url, a, b };
  };

  it('serves a read row from memory: a write behind its back (no signal) is not seen', async () => {
    const { url, b } = await twoStores();
    await sqlOnce(url, "UPDATE clients SET name = 'Behind' WHERE client_id = 'app'");
    expect((await b.getClient('app'))?.name).toBe('App');
    expect(b.clientCache.size).toBe(1);
  });

  it('a change committed through one store is seen by the other once its signal is heard', async () => {
    const { a, b } = await twoStores();
    const signal = heard(b, 'clients');
    await a.transaction(async () => {
      await a.updateClient('app', { disabledAt: 5_000, updatedAt: 5_000 });
    });
    await signal;
    expect((await b.getClient('app'))?.disabledAt).toBe(5_000);
    // Outside a transaction too (an autocommit write announces right after it).
    const again = heard(b, 'clients');
    await a.updateClient('app', { disabledAt: null, name: 'Renamed', updatedAt: 6_000 });
    await again;
    expect(await b.getClient('app')).toMatchObject({ disabledAt: null, name: 'Renamed' });
    // The writer itself reads the change at once after its commit, signal or not.
    await a.updateClient('app', { name: 'Mine', updatedAt: 7_000 });
    expect((await a.getClient('app'))?.name).toBe('Mine');
  });

  it('a new client inserted through one store is found by the other', async () => {
    const { a, b } = await twoStores();
    expect(await b.getClient('second')).toBeUndefined();
    const signal = heard(b, 'clients');
    await a.insertClient({ ...CLIENT, clientId: 'second', name: 'Second' });
    await signal;
    expect((await b.getClient('second'))?.name).toBe('Second');
  });

  it('a transaction that changed a client reads its own write; others read the committed row meanwhile', async () => {
    const { a, b } = await twoStores();
    await a.transaction(async () => {
      await a.updateClient('app', { name: 'Inside', updatedAt: 5_000 });
      expect((await a.getClient('app'))?.name).toBe('Inside');
    });
    // Another call on this store, started outside the transaction (its continuation keeps that context) while
    // the write is uncommitted: the committed row, never the uncommitted one (nor cached from inside).
    let go!: () => void;
    const outside = new Promise<void>((resolve) => { go = resolve; }).then(() => a.getClient('app'));
    const signal = heard(b, 'clients');
    await a.transaction(async () => {
      await a.updateClient('app', { name: 'Later', updatedAt: 6_000 });
      go();
      expect((await outside)?.name).toBe('Inside');
    });
    expect((await a.getClient('app'))?.name).toBe('Later');
    await signal;
    expect((await b.getClient('app'))?.name).toBe('Later');
  });

  it('a rolled-back change is never cached, here or there', async () => {
    const { a, b } = await twoStores();
    const failure = new Error('undo');
    await expect(a.transaction(async () => {
      await a.updateClient('app', { disabledAt: 5_000, updatedAt: 5_000 });
      expect((await a.getClient('app'))?.disabledAt).toBe(5_000);
      throw failure;
    })).rejects.toBe(failure);
    expect((await a.getClient('app'))?.disabledAt).toBeNull();
    expect((await b.getClient('app'))?.disabledAt).toBeNull();
    // And nothing announced it: a later marker comes alone.
    const topics: string[] = [];
    const stop = b.changes.subscribe((t) => topics.push(t));
    const marker = heard(b, 'audit');
    await a.changes.announce('audit');
    await marker;
    stop();
    expect(topics).toEqual(['audit']);
  });

  it("drops everything on 'resync': a change missed while the listening connection was down is read", async () => {
    const { url, b } = await twoStores();
    const resynced = heard(b, 'resync');
    await sqlOnce(url, 'SELECT pg_terminate_backend($1)', [b.changes.listenerPid()]);
    // Written while b may not be listening: no signal reaches b.
    await sqlOnce(url, "UPDATE clients SET disabled_at = 9000 WHERE client_id = 'app'");
    await resynced;
    expect((await b.getClient('app'))?.disabledAt).toBe(9_000);
  });
});
