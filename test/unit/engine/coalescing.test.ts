import { describe, expect, it } from 'vitest';
import { ADMIN, LAPTOP, PHONE, makeHarness } from './harness';

describe('coalesced refreshes', () => {
  it('refreshes arriving together commit in one transaction and each caller gets its own rotation', async () => {
    const h = await makeHarness();
    const sessions = await Promise.all([h.login(PHONE), h.login(LAPTOP), h.login(PHONE)]);
    const seen: string[] = [];
    h.engine.onEvent((event) => seen.push(event.type));
    const rotated = await Promise.all(sessions.map((s, i) => h.engine.refresh({ refreshToken: s.refreshToken, clientId: i === 1 ? 'web' : 'mobile', device: i === 1 ? LAPTOP : PHONE })));
    expect(rotated.map((r) => r.sessionId)).toEqual(sessions.map((s) => s.sessionId));
    expect(new Set(rotated.map((r) => r.refreshToken)).size).toBe(3);
    expect(seen).toEqual(['session.refreshed', 'session.refreshed', 'session.refreshed']);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });

  it('a unit that throws rolls back only itself; the others in the batch commit', async () => {
    const h = await makeHarness();
    const ctx = h.engine.ctx;
    const before = await h.store.countUsers();
    const results = await ctx.runMany([
      async (tx) => {
        await tx.emit({ type: 'settings.changed', actor: 'test', data: { n: 1 } });
        return 'first';
      },
      async (tx) => {
        await tx.emit({ type: 'settings.changed', actor: 'test', data: { n: 2 } });
        await h.store.putSetting('half-written', 'yes');
        throw new Error('unit failed halfway');
      },
      async (tx) => {
        await tx.emit({ type: 'settings.changed', actor: 'test', data: { n: 3 } });
        return 'third';
      },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(await h.store.getSetting('half-written')).toBeUndefined();
    const audit = (await h.store.listAudit({ type: 'settings.changed', limit: 10 })).map((e) => e.data.n);
    expect(audit).toEqual([3, 1]);
    expect(await h.store.countUsers()).toBe(before);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
  });

  it('no caller is answered before its batch has committed', async () => {
    const h = await makeHarness();
    const s = await h.login(PHONE);
    // Another connection sees only committed data.
    let seenByObserver: unknown;
    await h.engine.refresh({ refreshToken: s.refreshToken, clientId: 'mobile', device: PHONE }).then(async (r) => {
      seenByObserver = (await h.sql('SELECT refresh_count FROM sessions WHERE id = ?', r.sessionId))[0]?.refresh_count;
    });
    expect(seenByObserver).toBe(1);
  });

  it('feed acknowledgements arriving together are audited in one transaction, and none is lost at close', async () => {
    const h = await makeHarness();
    await h.login(PHONE);
    const receipt = await h.engine.admin.forceLogout({ userId: h.userId, reason: 'test' }, ADMIN);
    const feedEventId = receipt.feedEventId!;
    const commits: Promise<unknown>[] = [];
    const store = h.store;
    const transaction = store.transaction.bind(store);
    store.transaction = (fn, options) => {
      const committed = transaction(fn, options);
      commits.push(committed);
      return committed;
    };
    for (let i = 0; i < 20; i++) h.engine.recordFeedAck(`api-${i}`, feedEventId, h.clock.now(), h.clock.now() + i);
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toHaveLength(1);
    // recordFeedAck does not wait for its commit: wait for it here (on SQLite the read below would queue behind
    // the open transaction anyway; on PostgreSQL it runs at once on another connection).
    await Promise.all(commits);
    const acks = await h.store.listAudit({ type: 'feed.acknowledged', limit: 50 });
    expect(acks).toHaveLength(20);
    expect(acks.every((a) => a.userId === h.userId && a.data.feedEventId === feedEventId)).toBe(true);

    // Queued but not yet flushed when the engine closes: committed on close, seen after a restart.
    h.engine.recordFeedAck('api-late', feedEventId, h.clock.now(), h.clock.now());
    await h.restart();
    expect(await h.store.listAudit({ type: 'feed.acknowledged', actor: 'client:api-late', limit: 5 })).toHaveLength(1);
    expect(await h.engine.admin.verifyAuditChain({}, ADMIN)).toMatchObject({ ok: true });
    expect(h.errors).toEqual([]);
  });
});
