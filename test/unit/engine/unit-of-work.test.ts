/**
 * The engine's unit of work over an asynchronous store: units never interleave (one open unit per engine, in
 * arrival order), a rule calling run() inside a unit joins it, refreshes that arrive while a batch commits are
 * coalesced into the next batch, and events are published after commit, in commit order.
 */
import { describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../../src/main/store/sqlite-store';
import { LAPTOP, PHONE, itSqliteOnly, makeHarness } from './harness';

/** The commit counts below come from SqliteStore's commit observer (each commit and its synchronous level). */
const itObservingCommits = itSqliteOnly("counts commits with SqliteStore's observeCommits");

/** A promise the test resolves by hand (an event to wait on, never a timer). */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

describe('unit of work (async store)', () => {
  it('two concurrent ctx.run units never interleave: the second starts after the first has committed', async () => {
    const h = await makeHarness();
    const ctx = h.engine.ctx;
    const order: string[] = [];
    const entered = signal();
    const release = signal();
    const first = ctx.run(async (tx) => {
      order.push('first starts');
      await tx.emit({ type: 'settings.changed', actor: 'test', data: { unit: 1 } });
      entered.fire();
      await release.promise;
      order.push('first ends');
    });
    await entered.promise;
    const second = ctx.run(async (tx) => {
      order.push('second starts');
      await tx.emit({ type: 'settings.changed', actor: 'test', data: { unit: 2 } });
    });
    // Let the second unit get as far as it can while the first is held open.
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['first starts']);
    release.fire();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
    const audit = await h.store.listAudit({ type: 'settings.changed', limit: 5 });
    expect(audit.map((e) => e.data.unit)).toEqual([2, 1]);
    expect(await h.engine.admin.verifyAuditChain({}, { actor: 'admin:test', role: 'owner', adminId: null })).toMatchObject({ ok: true });
  });

  itObservingCommits('a rule calling ctx.run inside a unit joins it (one transaction, no deadlock)', async () => {
    const h = await makeHarness();
    const ctx = h.engine.ctx;
    const store = h.store as SqliteStore;
    const commits: string[] = [];
    const stop = store.observeCommits((commit) => commits.push(commit.synchronous));
    const value = await ctx.run(async (tx) => {
      await tx.emit({ type: 'settings.changed', actor: 'test', data: { outer: true } });
      return ctx.run(async (inner) => {
        await inner.emit({ type: 'settings.changed', actor: 'test', data: { inner: true } });
        return 'joined';
      });
    });
    stop();
    expect(value).toBe('joined');
    expect(commits).toEqual(['full']);
  });

  it('events are published after commit, in commit order, and never for a unit that rolled back', async () => {
    const h = await makeHarness();
    const ctx = h.engine.ctx;
    const seen: unknown[] = [];
    h.engine.onEvent((event) => seen.push(event.data.n));
    const units = [1, 2, 3].map((n) => ctx.run(async (tx) => {
      await tx.emit({ type: 'settings.changed', actor: 'test', data: { n } });
      // Still inside the unit: nothing of it has been published yet.
      expect(seen).not.toContain(n);
      if (n === 2) throw new Error('unit 2 fails');
    }));
    const settled = await Promise.allSettled(units);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(seen).toEqual([1, 3]);
  });

  itObservingCommits('refreshes that arrive while a batch is committing wait, then share ONE commit', async () => {
    const h = await makeHarness();
    const store = h.store as SqliteStore;
    const sessions = [];
    for (const device of [PHONE, LAPTOP, PHONE, LAPTOP, PHONE]) sessions.push(await h.login(device));
    // Hold the engine's unit lock: whatever is flushed meanwhile has to wait for it.
    const entered = signal();
    const release = signal();
    const held = h.engine.ctx.run(async () => {
      entered.fire();
      await release.promise;
    });
    await entered.promise;
    const commits: string[] = [];
    const stop = store.observeCommits((commit) => commits.push(commit.synchronous));
    // The first refresh is flushed on its own turn and waits on the lock; the rest arrive in later turns,
    // while that batch is pending, and must all go into the next batch together.
    const first = h.engine.refresh({ refreshToken: sessions[0]!.refreshToken, clientId: 'mobile', device: PHONE });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = sessions.slice(1).map((s, i) => {
      const promise = h.engine.refresh({ refreshToken: s.refreshToken, clientId: i % 2 === 0 ? 'web' : 'mobile', device: i % 2 === 0 ? LAPTOP : PHONE });
      return promise;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(commits).toEqual([]);
    release.fire();
    await held;
    const rotated = await Promise.all([first, ...rest]);
    stop();
    expect(new Set(rotated.map((r) => r.refreshToken)).size).toBe(5);
    // The held unit's commit, the first refresh's batch, then ONE for the four that waited.
    expect(commits).toHaveLength(3);
  });
});
