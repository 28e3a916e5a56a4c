/**
 * The behavioural suite every `BackchannelOutboxStore` must pass (store.backchannelOutbox). `open()` gives a
 * fresh, empty store; `reopen` (file stores) the same data after a close: the durability an outbox is for.
 */
import type { StoreHarness } from '../helpers/every-store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxInsert } from '../../src/main/store/backchannel-outbox-store';
import type { NewClientRow, Store } from '../../src/main/store/store';

export type OutboxHarness = StoreHarness;

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

export function outboxSuite(label: string, open: () => Promise<OutboxHarness>, persistent: boolean): void {
  describe(`BackchannelOutboxStore contract: ${label}`, () => {
    let h: OutboxHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
      await store.insertClient(CLIENT);
    });
    afterEach(() => h.cleanup());
    const outbox = () => store.backchannelOutbox;
    const tx = <T>(fn: () => Promise<T>) => store.transaction(fn);

    it('inserts pending rows and reads them back in shape', async () => {
      const id = await tx(() => outbox().insert(row(1, { revocationId: 7 })));
      expect(await outbox().get(id)).toEqual({
        id, ...row(1, { revocationId: 7 }), attempts: 0, leaseUntil: null, deliveredAt: null, failedAt: null, lastStatus: null, lastError: null,
      });
      expect(await outbox().get(id + 1)).toBeUndefined();
    });

    it('refuses a second row with the same jti and a row for an unknown client', async () => {
      await tx(() => outbox().insert(row(1)));
      await expect(() => tx(() => outbox().insert(row(2, { jti: 'blt_1' })))).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      await expect(() => tx(() => outbox().insert(row(3, { clientId: 'nobody' })))).rejects.toThrow(expect.objectContaining({ code: 'not_found' }));
      expect(await outbox().listBySession('ses_2')).toEqual([]);
      expect(await outbox().pendingCount?.()).toBe(1);
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
      // The leases end before the later row is due: both leased rows come back first.
      expect(await outbox().nextDueAt()).toBe(T0 + 500);
      expect((await tx(() => outbox().claimDue(T0 + 500, T0 + 2_000, 10))).map((r) => r.id).sort()).toEqual([a, b].sort());
      expect((await tx(() => outbox().claimDue(T0 + 1_000, T0 + 2_000, 10))).map((r) => r.id)).toEqual([later]);
      await expect(() => outbox().claimDue(T0, T0, 0)).rejects.toThrow(TypeError);
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
      expect(await outbox().get(b)).toMatchObject({ failedAt: T0 + 6, lastStatus: 400, leaseUntil: null });
      expect((await outbox().get(b))!.lastError!.length).toBe(300);
      expect(await outbox().get(c)).toMatchObject({ nextAttemptAt: T0 + 1_007, leaseUntil: null, lastError: 'no answer', lastStatus: null });
      expect(await outbox().nextDueAt()).toBe(T0 + 1_007);
      expect(await outbox().pendingCount?.()).toBe(1);
      // Settled rows stay settled, whatever a late report says.
      expect(await tx(() => outbox().settle(a, { kind: 'failed', at: T0 + 8, status: 500, error: 'late' }))).toBe(false);
      expect(await tx(() => outbox().settle(b, { kind: 'delivered', at: T0 + 8, status: 200 }))).toBe(false);
      expect((await outbox().get(a))!.deliveredAt).toBe(T0 + 5);
      expect((await tx(() => outbox().claimDue(T0 + 10_000, T0 + 20_000, 10))).map((r) => r.id)).toEqual([c]);
      await tx(() => outbox().settle(c, { kind: 'delivered', at: T0 + 10_001, status: 200 }));
      expect(await outbox().nextDueAt()).toBeUndefined();
    });

    it('lists the rows of a feed event, and no other', async () => {
      const a = await tx(() => outbox().insert(row(1, { revocationId: 9 })));
      const b = await tx(() => outbox().insert(row(2, { revocationId: 3 })));
      const c = await tx(() => outbox().insert(row(4)));
      expect((await outbox().listByRevocation(9, 10)).map((r) => r.id)).toEqual([a]);
      expect((await outbox().listByRevocation(3, 10)).map((r) => r.id)).toEqual([b]);
      expect((await outbox().get(c))!.revocationId).toBeNull();
      expect(await outbox().listByRevocation(9, 0)).toEqual([]);
    });

    it('a rolled-back transaction leaves no row', async () => {
      await expect(() =>
        tx(async () => {
          await outbox().insert(row(1));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(await outbox().listBySession('ses_1')).toEqual([]);
      expect(await outbox().nextDueAt()).toBeUndefined();
    });

    it.skipIf(!persistent)('keeps pending rows, leases and attempts across a reopen', async () => {
      const id = await tx(() => outbox().insert(row(1)));
      await tx(() => outbox().claimDue(T0, T0 + 100, 10));
      store = await h.reopen!();
      expect(await store.backchannelOutbox.get(id)).toMatchObject({ attempts: 1, leaseUntil: T0 + 100, deliveredAt: null });
      expect(await store.backchannelOutbox.nextDueAt()).toBe(T0 + 100);
    });
  });
}
