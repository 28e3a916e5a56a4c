/**
 * The back-channel outbox on PostgreSQL (src/main/store/pg/pg-backchannel-outbox-store.ts) where only a shared
 * database can be tested: claims from two instances (two PgStores, two pools) and several connections each at
 * once: every row is leased once. Its behaviour otherwise is the shared suite's
 * (test/integration/backchannel-outbox-store.suite.ts, run on every store).
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
