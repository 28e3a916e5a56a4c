/**
 * The feed's two bounds in isolation: the per-turn budget that paces replays (never more than its units in
 * one event-loop turn, waiters served in order, and nothing lost), and the cache of signed messages (never
 * above its size, least recently used out first, a key's entries forgotten with the key).
 */
import { describe, expect, it } from 'vitest';
import { SignedSetCache } from '../../../src/main/http/feed-set';
import { TurnBudget } from '../../../src/main/http/sse';

/** Counts event-loop turns: bumped once per check phase, scheduled before anything under test. */
function turnCounter(): { turn: () => number; stop: () => void } {
  let turn = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    turn += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turn, stop: () => (stopped = true) };
}

const fakeSet = (kid: string, n: number) =>
  `${Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'secevent+jwt' })).toString('base64url')}.${Buffer.from(String(n)).toString('base64url')}.c2ln`;

describe('TurnBudget', () => {
  it('spends at most its units in one turn, however many streams draw on it', async () => {
    const counter = turnCounter();
    const budget = new TurnBudget(4);
    const perTurn = new Map<number, number>();
    const worker = async (units: number) => {
      for (let i = 0; i < units; i += 1) {
        const wait = budget.take();
        if (wait) await wait;
        perTurn.set(counter.turn(), (perTurn.get(counter.turn()) ?? 0) + 1);
      }
    };
    // More streams than units per turn, each wanting several.
    await Promise.all([...Array.from({ length: 10 }, () => worker(5)), worker(3)]);
    counter.stop();
    expect([...perTurn.values()].reduce((a, b) => a + b, 0)).toBe(53);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(4);
    expect(perTurn.size).toBeGreaterThanOrEqual(Math.ceil(53 / 4));
  });

  it('spends synchronously while the turn has units left, and serves waiters first come first served', async () => {
    const budget = new TurnBudget(2);
    expect(budget.take()).toBeUndefined();
    expect(budget.take()).toBeUndefined();
    const order: string[] = [];
    const a = budget.take()!.then(() => order.push('a'));
    const b = budget.take()!.then(() => order.push('b'));
    const c = budget.take()!.then(() => order.push('c'));
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
  });
});

describe('SignedSetCache', () => {
  it('keeps at most its size, dropping the least recently used', () => {
    const cache = new SignedSetCache(3);
    for (const id of [1, 2, 3]) cache.put('api', id, fakeSet('k1', id));
    expect(cache.get('api', 1)).toContain(`id: 1\n`);
    cache.put('api', 4, fakeSet('k1', 4));
    expect(cache.size).toBe(3);
    expect(cache.has('api', 2)).toBe(false);
    expect([1, 3, 4].every((id) => cache.has('api', id))).toBe(true);
  });

  it('keys entries by client and event, and returns the SSE message', () => {
    const cache = new SignedSetCache(10);
    const set = fakeSet('k1', 7);
    expect(cache.put('api-a', 7, set)).toBe(`id: 7\nevent: revocation\ndata: ${set}\n\n`);
    expect(cache.has('api-b', 7)).toBe(false);
    expect(cache.get('api-a', 7)).toBe(`id: 7\nevent: revocation\ndata: ${set}\n\n`);
  });

  it("forgets a key's entries when the key is revoked, and those of keys no longer published", () => {
    const cache = new SignedSetCache(10);
    cache.put('api', 1, fakeSet('old', 1));
    cache.put('api', 2, fakeSet('current', 2));
    cache.put('api', 3, fakeSet('other', 3));
    cache.dropKid('old');
    expect([cache.has('api', 1), cache.has('api', 2), cache.has('api', 3)]).toEqual([false, true, true]);
    cache.keepOnly(new Set(['current']));
    expect([cache.has('api', 2), cache.has('api', 3)]).toEqual([true, false]);
  });
});
