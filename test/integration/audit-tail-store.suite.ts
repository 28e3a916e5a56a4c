/**
 * The behavioural suite of store.auditTail (src/main/store/audit-tail-store.ts): the chain head a writer reads
 * inside its transaction, and the entries after a seq in seq order (the live tail of other instances' events).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/main/store/store';
import type { StoreHarness } from '../helpers/every-store';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

export function auditTailStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`AuditTailStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(() => h.cleanup());

    const append = (k: number, prevHash: string) => store.appendAudit({
      at: T0 + k, type: 'user.created', actor: 'admin', userId: `usr_${k}`, sessionId: null, reason: k % 2 ? 'odd' : null,
      data: { k, nested: { list: [k] } }, prevHash, hash: `hash-${k}`,
    });

    it('reads no head and no entries from an empty log', async () => {
      expect(await store.transaction(() => store.auditTail.lockedHead())).toBeUndefined();
      expect(await store.auditTail.after(0, 10)).toEqual([]);
    });

    it('gives the last seq and hash as the head, and the entries after a seq in seq order, bounded', async () => {
      const seqs: number[] = [];
      for (let k = 1; k <= 5; k++) seqs.push(await store.transaction(() => append(k, `hash-${k - 1}`)));
      expect(await store.transaction(() => store.auditTail.lockedHead())).toEqual({ seq: seqs[4], hash: 'hash-5' });
      const tail = await store.auditTail.after(seqs[1]!, 2);
      expect(tail.map((entry) => entry.seq)).toEqual([seqs[2], seqs[3]]);
      expect(tail[0]).toEqual({
        seq: seqs[2], at: T0 + 3, type: 'user.created', actor: 'admin', userId: 'usr_3', sessionId: null, reason: 'odd',
        data: { k: 3, nested: { list: [3] } }, prevHash: 'hash-2', hash: 'hash-3',
      });
      expect((await store.auditTail.after(seqs[4]!, 10))).toEqual([]);
      expect((await store.auditTail.after(0, 100)).map((entry) => entry.hash)).toEqual(['hash-1', 'hash-2', 'hash-3', 'hash-4', 'hash-5']);
    });

    it('refuses a negative or fractional limit', async () => {
      await expect(store.auditTail.after(0, -1)).rejects.toThrow(TypeError);
      await expect(store.auditTail.after(0, 1.5)).rejects.toThrow(TypeError);
    });
  });
}
