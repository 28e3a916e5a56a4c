/**
 * The back-channel outbox on PostgreSQL (src/main/store/pg/pg-backchannel-outbox-store.ts): the shared suite's
 * key cases (test/integration/backchannel-outbox-store.suite.ts) run asynchronously, and claims from two
 * instances (two PgStores, two pools) and several connections each at once: every row is leased once.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OutboxInsert } from '../../src/main/store/backchannel-outbox-store';
import type { PgStore } from '../../src/main/store/pg/pg-store';
import type { NewClientRow } from '../../src/main/store/store';
import { describePg, freshDatabase, openTestPgStore } from '../helpers/postgres';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLIENT: NewClientRow = {
  clientId: 'web', kind: 'confidential', name: 'Web app', secretHash: null, createdAt: T0,
  redirectUris: ['https://app.example/callback'], postLogoutRedirectUris: [], backchannelLogoutUri: 'https://app.example/backchannel-logout',
  grantTypes: ['authorization_code', 'refresh_token'], idTokenSignedResponseAlg: 'RS256', updatedAt: null,
};
const row = (n: number, over: Partial<OutboxInsert> = {}): OutboxInsert => ({
  jti: `blt_${n}`, clientId: 'web', uri: CLIENT.backchannelLogoutUri!, sessionId: `ses_${n}`, userId: 'usr_1',
  revocationId: null, createdAt: T0, nextAttemptAt: T0, giveUpAt: T0 + 3_600_000, ...over,
});

describePg('PostgreSQL back-channel outbox', () => {
  let url: string;
  let store: PgStore;
  const opened: PgStore[] = [];
  const open = async () => {
    const s = await openTestPgStore({ url });
    opened.push(s);
    return s;
  };
  beforeEach(async () => {
    url = await freshDatabase();
    store = await open();
    await store.insertClient(CLIENT);
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });
  const outbox = () => store.backchannelOutbox;
  const tx = <T>(fn: () => Promise<T>) => store.transaction(fn);

  it('inserts pending rows and reads them back in shape; refuses a repeated jti and an unknown client', async () => {
    const id = await tx(() => outbox().insert(row(1, { revocationId: 7 })));
    expect(await outbox().get(id)).toEqual({
      id, ...row(1, { revocationId: 7 }), attempts: 0, leaseUntil: null, deliveredAt: null, failedAt: null, lastStatus: null, lastError: null,
    });
    expect(await outbox().get(id + 1)).toBeUndefined();
    await expect(tx(() => outbox().insert(row(2, { jti: 'blt_1' })))).rejects.toMatchObject({ code: 'conflict' });
    await expect(tx(() => outbox().insert(row(3, { clientId: 'nobody' })))).rejects.toMatchObject({ code: 'not_found' });
    expect(await outbox().pendingCount!()).toBe(1);
  });

  it('claims due rows oldest first, up to the limit, with a lease that hides them until it ends', async () => {
    const a = await tx(() => outbox().insert(row(1, { nextAttemptAt: T0 + 2 })));
    const b = await tx(() => outbox().insert(row(2, { nextAttemptAt: T0 + 1 })));
    const later = await tx(() => outbox().insert(row(3, { nextAttemptAt: T0 + 1_000 })));
    expect(await outbox().nextDueAt()).toBe(T0 + 1);
    const claimed = await tx(() => outbox().claimDue(T0 + 10, T0 + 500, 1));
    expect(claimed.map((r) => r.id)).toEqual([b]);
    expect(claimed[0]).toMatchObject({ attempts: 1, leaseUntil: T0 + 500, nextAttemptAt: T0 + 500 });
    expect((await tx(() => outbox().claimDue(T0 + 10, T0 + 500, 10))).map((r) => r.id)).toEqual([a]);
    expect(await tx(() => outbox().claimDue(T0 + 499, T0 + 999, 10))).toEqual([]);
    expect(await outbox().nextDueAt()).toBe(T0 + 500);
    expect((await tx(() => outbox().claimDue(T0 + 500, T0 + 2_000, 10))).map((r) => r.id)).toEqual([a, b].sort((x, y) => x - y));
    expect((await tx(() => outbox().claimDue(T0 + 1_000, T0 + 2_000, 10))).map((r) => r.id)).toEqual([later]);
    await expect(outbox().claimDue(T0, T0, 0)).rejects.toBeInstanceOf(TypeError);
  });

  it('settles once: delivered and failed rows leave the queue; a retry reschedules and drops the lease', async () => {
    const a = await tx(() => outbox().insert(row(1)));
    const b = await tx(() => outbox().insert(row(2)));
    const c = await tx(() => outbox().insert(row(3)));
    await tx(() => outbox().claimDue(T0, T0 + 100, 10));
    expect(await tx(() => outbox().settle(a, { kind: 'delivered', at: T0 + 5, status: 204 }))).toBe(true);
    expect(await tx(() => outbox().settle(b, { kind: 'failed', at: T0 + 6, status: 400, error: 'x'.repeat(1_000) }))).toBe(true);
    expect(await tx(() => outbox().settle(c, { kind: 'retry', at: T0 + 7, status: null, error: 'no answer', nextAttemptAt: T0 + 1_007 }))).toBe(true);
    expect(await outbox().get(a)).toMatchObject({ deliveredAt: T0 + 5, lastStatus: 204, leaseUntil: null, failedAt: null });
    expect((await outbox().get(b))!.lastError!.length).toBe(300);
    expect(await outbox().get(c)).toMatchObject({ nextAttemptAt: T0 + 1_007, leaseUntil: null, lastError: 'no answer', lastStatus: null });
    expect(await outbox().nextDueAt()).toBe(T0 + 1_007);
    expect(await outbox().pendingCount!()).toBe(1);
    expect(await tx(() => outbox().settle(a, { kind: 'failed', at: T0 + 8, status: 500, error: 'late' }))).toBe(false);
    expect((await outbox().get(a))!.deliveredAt).toBe(T0 + 5);
    await tx(() => outbox().settle(c, { kind: 'delivered', at: T0 + 10_001, status: 200 }));
    expect(await outbox().nextDueAt()).toBeUndefined();
  });

  it('links pending rows of the given sessions to a feed event; a rolled-back insert leaves no row; rows and leases persist', async () => {
    const a = await tx(() => outbox().insert(row(1)));
    const b = await tx(() => outbox().insert(row(2, { revocationId: 3 })));
    await tx(() => outbox().insert(row(4)));
    expect(await tx(() => outbox().linkToRevocation(['ses_1', 'ses_2'], 9))).toBe(1);
    expect((await outbox().listByRevocation(9, 10)).map((r) => r.id)).toEqual([a]);
    expect((await outbox().listByRevocation(3, 10)).map((r) => r.id)).toEqual([b]);
    await expect(tx(async () => {
      await outbox().insert(row(5));
      throw new Error('roll back');
    })).rejects.toThrow('roll back');
    expect(await outbox().listBySession('ses_5')).toEqual([]);
    await tx(() => outbox().claimDue(T0, T0 + 100, 1));
    const again = await open();
    expect(await again.backchannelOutbox.get(a)).toMatchObject({ attempts: 1, leaseUntil: T0 + 100, deliveredAt: null });
  });

  it('two instances with three claimers each, claiming at once: every row is leased exactly once', async () => {
    const other = await open();
    const N = 300;
    await store.transaction(async () => {
      for (let n = 1; n <= N; n += 1) await store.backchannelOutbox.insert(row(n, { nextAttemptAt: T0 + (n % 17) }));
    });
    const claimer = async (instance: PgStore) => {
      const ids: number[] = [];
      // Bounded: N rows, at least one per round while any is left unlocked.
      for (let round = 0; round < N; round += 1) {
        const rows = await instance.transaction(() => instance.backchannelOutbox.claimDue(T0 + 100, T0 + 60_000, 7));
        if (rows.length === 0) break;
        ids.push(...rows.map((r) => r.id));
      }
      return ids;
    };
    const results = await Promise.all([store, store, store, other, other, other].map(claimer));
    const all = results.flat();
    expect(all).toHaveLength(N);
    expect(new Set(all).size).toBe(N);
    // Both instances took part, and nothing was counted twice.
    expect(results.slice(0, 3).flat().length).toBeGreaterThan(0);
    expect(results.slice(3).flat().length).toBeGreaterThan(0);
    const [attempts] = await store.database.rows<{ max: number; min: number }>('SELECT max(attempts) AS max, min(attempts) AS min FROM backchannel_outbox');
    expect(attempts).toEqual({ max: 1, min: 1 });
    expect(await store.backchannelOutbox.claimDue(T0 + 100, T0 + 60_000, 7)).toEqual([]);
  });
});
