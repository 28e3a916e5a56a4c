/**
 * The behavioural suite every `AuditSearchStore` must pass (store.auditSearch): free text, several types,
 * prefixes (sparse and dense), paging, and reuse-alert acknowledgements.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreHarness } from '../helpers/every-store';
import type { AuditInsert, Store } from '../../src/main/store/store';
import { WardenError } from '../../src/shared/errors';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

async function append(store: Store, entry: Partial<AuditInsert> & { type: string }): Promise<number> {
  return store.appendAudit({ at: T0, actor: 'system', userId: null, sessionId: null, reason: null, data: {}, prevHash: 'p', hash: 'h', ...entry });
}

/** The items whose async predicate holds, in order. */
async function filterAsync<T>(items: T[], keep: (item: T) => Promise<boolean>): Promise<T[]> {
  const kept: T[] = [];
  for (const item of items) if (await keep(item)) kept.push(item);
  return kept;
}

export function auditSearchStoreSuite(label: string, open: () => Promise<StoreHarness>): void {
  describe(`AuditSearchStore contract: ${label}`, () => {
    let h: StoreHarness;
    let store: Store;
    beforeEach(async () => {
      h = await open();
      store = h.store;
    });
    afterEach(() => h.cleanup());

    it('finds a substring of the type, actor, reason or data, case-insensitively (beyond ASCII too), newest first', async () => {
      const a = await append(store, { type: 'user.created', actor: 'admin:alice', data: { username: 'Margaret' } });
      const b = await append(store, { type: 'session.revoked', actor: 'admin:bob', reason: 'Laptop STOLEN at the airport' });
      const c = await append(store, { type: 'user.login', actor: 'user:usr_1', data: { ip: '10.1.2.3', userAgent: 'Firefox' } });
      const d = await append(store, { type: 'user.updated', reason: 'Zoë ÉLODIE' });
      expect((await store.auditSearch.search({ q: 'garet', limit: 10 })).map((e) => e.seq)).toEqual([a]);
      expect((await store.auditSearch.search({ q: 'stolen', limit: 10 })).map((e) => e.seq)).toEqual([b]);
      expect((await store.auditSearch.search({ q: '10.1.2', limit: 10 })).map((e) => e.seq)).toEqual([c]);
      expect((await store.auditSearch.search({ q: 'admin:', limit: 10 })).map((e) => e.seq)).toEqual([b, a]);
      expect((await store.auditSearch.search({ q: 'ZOË élodie', limit: 10 })).map((e) => e.seq)).toEqual([d]);
      expect(await store.auditSearch.search({ q: 'nothing-like-this', limit: 10 })).toEqual([]);
      // Not across two columns: "created" ends the type, "admin" starts the actor.
      expect(await store.auditSearch.search({ q: 'created admin', limit: 10 })).toEqual([]);
      expect(await store.auditSearch.search({ q: 'createdadmin', limit: 10 })).toEqual([]);
    });

    it('treats FTS5 syntax and LIKE metacharacters in the text as literal text', async () => {
      const a = await append(store, { type: 'x', reason: 'say "hi" OR NOT* (now) 50%_off' });
      await append(store, { type: 'x', reason: 'hi 500 off' });
      expect((await store.auditSearch.search({ q: '"hi" OR NOT*', limit: 10 })).map((e) => e.seq)).toEqual([a]);
      expect((await store.auditSearch.search({ q: '(now)', limit: 10 })).map((e) => e.seq)).toEqual([a]);
      expect((await store.auditSearch.search({ q: '50%_off', limit: 10 })).map((e) => e.seq)).toEqual([a]);
      expect(await store.auditSearch.search({ q: '%%%', limit: 10 })).toEqual([]);
    });

    it('refuses free text shorter than 3 characters with invalid_input', async () => {
      await expect(() => store.auditSearch.search({ q: 'ab', limit: 10 })).rejects.toThrow(WardenError);
      await expect(() => store.auditSearch.search({ q: 'ab', limit: 10 })).rejects.toThrow(expect.objectContaining({ code: 'invalid_input' }));
    });

    it('matches any of several types, merged newest first, with paging by seq', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 12; i++) seqs.push(await append(store, { type: ['a.one', 'b.two', 'c.three'][i % 3]! }));
      const wanted = seqs.filter((_, i) => i % 3 !== 2).reverse();
      expect((await store.auditSearch.search({ types: ['a.one', 'b.two'], limit: 100 })).map((e) => e.seq)).toEqual(wanted);
      const first = (await store.auditSearch.search({ types: ['a.one', 'b.two'], limit: 3 })).map((e) => e.seq);
      expect(first).toEqual(wanted.slice(0, 3));
      const second = (await store.auditSearch.search({ types: ['a.one', 'b.two'], limit: 3, beforeSeq: first[2] })).map((e) => e.seq);
      expect(second).toEqual(wanted.slice(3, 6));
    });

    it('matches actors and users by prefix, both when the prefix names a few and when it names many', async () => {
      const few = [await append(store, { type: 't', actor: 'admin:ann' }), await append(store, { type: 't', actor: 'admin:andy' })];
      // More distinct actors than the per-actor merge takes, and more rows than a "sparse" prefix.
      for (let i = 0; i < 40; i += 1) await append(store, { type: 't', actor: `user:usr_${i}`, userId: `usr_${i}` });
      await store.transaction(async () => {
        for (let i = 0; i < 2100; i += 1) await append(store, { type: 't', actor: 'client:web', userId: `usr_bulk_${i}` });
      });
      await append(store, { type: 't', actor: 'admin:other' });
      expect((await store.auditSearch.search({ actorPrefix: 'admin:an', limit: 10 })).map((e) => e.seq)).toEqual([...few].reverse());
      const users = await store.auditSearch.search({ actorPrefix: 'user:', limit: 100 });
      expect(users).toHaveLength(40);
      expect(users.every((e, i) => e.actor.startsWith('user:') && (i === 0 || users[i - 1]!.seq > e.seq))).toBe(true);
      expect((await store.auditSearch.search({ userPrefix: 'usr_1', limit: 100 })).map((e) => e.userId).sort()).toEqual(
        ['usr_1', ...Array.from({ length: 10 }, (_, i) => `usr_1${i}`)].sort(),
      );
      const dense = await store.auditSearch.search({ userPrefix: 'usr_bulk_', limit: 5 });
      expect(dense.map((e) => e.userId)).toEqual(['usr_bulk_2099', 'usr_bulk_2098', 'usr_bulk_2097', 'usr_bulk_2096', 'usr_bulk_2095']);
      expect(await store.auditSearch.search({ actorPrefix: 'nobody', limit: 5 })).toEqual([]);
    });

    it('combines free text, types, prefixes and a time range', async () => {
      await append(store, { type: 'session.revoked', actor: 'admin:ann', at: T0, reason: 'incident 42' });
      const hit = await append(store, { type: 'session.revoked', actor: 'admin:ann', at: T0 + 1000, reason: 'incident 42', userId: 'usr_9' });
      await append(store, { type: 'user.blocked', actor: 'admin:ann', at: T0 + 1000, reason: 'incident 42' });
      await append(store, { type: 'session.revoked', actor: 'admin:bob', at: T0 + 1000, reason: 'incident 42' });
      await append(store, { type: 'session.revoked', actor: 'admin:ann', at: T0 + 9000, reason: 'incident 42' });
      const found = await store.auditSearch.search({ q: 'cident 4', types: ['session.revoked', 'key.revoked'], actorPrefix: 'admin:a', userPrefix: 'usr', since: T0 + 500, until: T0 + 5000, limit: 10 });
      expect(found.map((e) => e.seq)).toEqual([hit]);
    });

    it('bounds free text and types by the seq range of a time window, exact when the clock stepped back', async () => {
      // seq order: at T0+5000, T0+1000 (clock stepped back), T0+9000, T0+2000, T0+3000.
      const ats = [5000, 1000, 9000, 2000, 3000];
      const seqs: number[] = [];
      for (const [i, dt] of ats.entries()) seqs.push(await append(store, { type: i % 2 ? 'user.login' : 'session.revoked', at: T0 + dt, data: { ip: '10.0.0.7', i } }));
      const window = { since: T0 + 1000, until: T0 + 5000, limit: 10 };
      const inWindow = seqs.filter((_, i) => ats[i]! >= 1000 && ats[i]! <= 5000).reverse();
      expect((await store.auditSearch.search({ ...window, q: '10.0.0.7' })).map((e) => e.seq)).toEqual(inWindow);
      expect((await store.auditSearch.search({ ...window, types: ['user.login', 'session.revoked'] })).map((e) => e.seq)).toEqual(inWindow);
      expect((await store.auditSearch.search({ ...window })).map((e) => e.seq)).toEqual(inWindow);
      expect((await store.auditSearch.search({ ...window, q: '10.0.0.7', beforeSeq: seqs[3]! })).map((e) => e.seq)).toEqual(inWindow.filter((s) => s < seqs[3]!));
      expect(await store.auditSearch.search({ since: T0 + 6000, until: T0 + 8000, q: '10.0.0.7', limit: 10 })).toEqual([]);
      // A dense old window (more than 2000 entries, and more than 2000 newer ones): paged from its newest entry.
      await store.transaction(async () => {
        for (let i = 0; i < 2500; i += 1) await append(store, { type: 'user.login', at: T0 + 20_000 + (i % 50), data: { n: i } });
        for (let i = 0; i < 2500; i += 1) await append(store, { type: 'user.login', at: T0 + 90_000 });
      });
      const old = await store.auditSearch.search({ since: T0 + 20_000, until: T0 + 20_049, limit: 3 });
      expect(old.map((e) => e.data.n)).toEqual([2499, 2498, 2497]);
    });

    it('pages free text by seq (an INTEGER bound for FTS5) and a rare type among common ones', async () => {
      const seqs: number[] = [];
      for (let i = 0; i < 30; i++) seqs.push(await append(store, { type: i === 3 ? 'key.created' : 'user.login', data: { ua: `Safari ${i}` } }));
      expect((await store.auditSearch.search({ q: 'safari', beforeSeq: seqs[20]!, limit: 5 })).map((e) => e.seq)).toEqual(seqs.slice(15, 20).reverse());
      expect((await store.auditSearch.search({ q: 'safari', beforeSeq: seqs[2]!, limit: 5 })).map((e) => e.seq)).toEqual(seqs.slice(0, 2).reverse());
      expect((await store.auditSearch.search({ types: ['key.created', 'client.created'], limit: 5 })).map((e) => e.seq)).toEqual([seqs[3]]);
    });

    it('finds a whole IP among entries whose IPs share its common trigrams, in any column, paged', async () => {
      // Every entry holds "10." (a trigram in all of them); the wanted IP's entries are few and spread out.
      const wanted: number[] = [];
      await store.transaction(async () => {
        for (let i = 0; i < 600; i += 1) {
          const ip = i % 97 === 5 ? '10.14.78.28' : `10.${i % 16}.${(i * 7) % 256}.${(i * 13) % 256}`;
          // Near misses: the distinctive tail without the whole address.
          const decoy = i % 50 === 1 ? { ip: '10.15.78.28', other: '.14.78.2' } : {};
          const seq = await append(store, { type: i % 3 ? 'session.refreshed' : 'user.login', actor: `client:app${i % 4}`, data: { ip, ...decoy } });
          if (ip === '10.14.78.28') wanted.push(seq);
        }
        wanted.push(await append(store, { type: 'session.revoked', reason: 'seen from 10.14.78.28 AGAIN' }));
      });
      const newest = [...wanted].reverse();
      expect((await store.auditSearch.search({ q: '10.14.78.28', limit: 100 })).map((e) => e.seq)).toEqual(newest);
      expect((await store.auditSearch.search({ q: '10.14.78.28', limit: 2 })).map((e) => e.seq)).toEqual(newest.slice(0, 2));
      expect((await store.auditSearch.search({ q: '10.14.78.28', beforeSeq: newest[2]!, limit: 2 })).map((e) => e.seq)).toEqual(newest.slice(3, 5));
      expect((await store.auditSearch.search({ q: '10.14.78.28', types: ['user.login', 'session.revoked'], limit: 100 })).map((e) => e.seq)).toEqual(
        await filterAsync(newest, async (seq) => ['user.login', 'session.revoked'].includes((await store.auditSearch.get(seq))!.type)),
      );
      expect((await store.auditSearch.search({ q: '10.14.78.2', limit: 100 })).map((e) => e.seq)).toEqual(newest);
      expect(await store.auditSearch.search({ q: '10.14.78.29', limit: 100 })).toEqual([]);
    });

    it('pages any time window from its newest entry, also when the clock stepped back far', async () => {
      const hour = 3_600_000;
      // 300 entries an hour apart, then the clock steps back 100 hours and runs on.
      const ats = [...Array.from({ length: 300 }, (_, i) => i * hour), ...Array.from({ length: 150 }, (_, i) => (200 + i) * hour + 1)];
      const seqs = await store.transaction(async () => {
        const appended: number[] = [];
        for (const [i, at] of ats.entries()) appended.push(await append(store, { type: i % 2 ? 'user.login' : 'user.created', at: T0 + at }));
        return appended;
      });
      const expected = (since: number, until: number, extra: (i: number) => boolean = () => true) =>
        seqs.filter((_, i) => ats[i]! >= since && ats[i]! <= until && extra(i)).reverse();
      for (const [since, until] of [[10 * hour, 20 * hour], [210 * hour, 230 * hour], [0, 400 * hour], [250 * hour, 250 * hour + 1], [400 * hour, 500 * hour]] as const) {
        const window = { since: T0 + since, until: T0 + until };
        expect((await store.auditSearch.search({ ...window, limit: 5 })).map((e) => e.seq)).toEqual(expected(since, until).slice(0, 5));
        expect((await store.auditSearch.search({ ...window, types: ['user.login'], limit: 500 })).map((e) => e.seq)).toEqual(expected(since, until, (i) => i % 2 === 1));
        expect((await store.auditSearch.search({ ...window, q: 'user.cre', limit: 500 })).map((e) => e.seq)).toEqual(expected(since, until, (i) => i % 2 === 0));
      }
      expect(await store.auditSearch.search({ since: T0 - 10 * hour, until: T0 - hour, limit: 5 })).toEqual([]);
    });

    it('finds entries again after a reopen', async () => {
      const a = await append(store, { type: 'user.created', data: { username: 'persisted' } });
      const again = (await h.reopen?.()) ?? store;
      expect((await again.auditSearch.search({ q: 'persist', limit: 10 })).map((e) => e.seq)).toEqual([a]);
    });

    it('keeps one acknowledgement per alert; lists open and acknowledged alerts apart', async () => {
      const r1 = await append(store, { type: 'refresh_token.reused', sessionId: 'ses_1' });
      await append(store, { type: 'user.login' });
      const r2 = await append(store, { type: 'authorization_code.reused', sessionId: 'ses_2' });
      expect(await store.auditSearch.countOpenReuseAlerts()).toBe(2);
      await store.auditSearch.acknowledge({ seq: r1, by: 'admin:ann', at: T0 + 5, note: 'user confirmed' });
      await expect(() => store.auditSearch.acknowledge({ seq: r1, by: 'admin:bob', at: T0 + 6, note: 'again' })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
      expect(await store.auditSearch.getAcknowledgement(r1)).toEqual({ seq: r1, by: 'admin:ann', at: T0 + 5, note: 'user confirmed' });
      expect(await store.auditSearch.countOpenReuseAlerts()).toBe(1);
      expect((await store.auditSearch.listReuseAlerts({ limit: 10 })).map((a) => [a.entry.seq, a.acknowledgement?.by ?? null])).toEqual([[r2, null], [r1, 'admin:ann']]);
      expect((await store.auditSearch.listReuseAlerts({ status: 'open', limit: 10 })).map((a) => a.entry.seq)).toEqual([r2]);
      expect((await store.auditSearch.listReuseAlerts({ status: 'acknowledged', limit: 10 })).map((a) => a.entry.seq)).toEqual([r1]);
      expect((await store.auditSearch.listReuseAlerts({ limit: 10, beforeSeq: r2 })).map((a) => a.entry.seq)).toEqual([r1]);
      // In a transaction too: the refusal leaves the transaction usable (on PostgreSQL a failed statement would abort it).
      await store.transaction(async () => {
        await expect(() => store.auditSearch.acknowledge({ seq: r1, by: 'admin:bob', at: T0 + 6, note: 'again' })).rejects.toThrow(expect.objectContaining({ code: 'conflict' }));
        await store.auditSearch.acknowledge({ seq: r2, by: 'admin:bob', at: T0 + 7, note: 'ok' });
      });
      expect(await store.auditSearch.countOpenReuseAlerts()).toBe(0);
      expect((await store.auditSearch.listReuseAlerts({ limit: 10 })).map((a) => [a.entry.seq, a.acknowledgement?.by ?? null])).toEqual([[r2, 'admin:bob'], [r1, 'admin:ann']]);
      expect(await store.auditSearch.listReuseAlerts({ status: 'open', limit: 10 })).toEqual([]);
      expect((await store.auditSearch.listReuseAlerts({ status: 'acknowledged', limit: 10, beforeSeq: r2 })).map((a) => a.entry.seq)).toEqual([r1]);
      expect((await store.auditSearch.get(r2))?.sessionId).toBe('ses_2');
    });
  });
}
