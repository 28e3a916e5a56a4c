/**
 * ArrivalOrder (src/main/engine/arrival-order.ts): steps on one key run one after another in call order, even
 * when an earlier one is the slower (as store reads on pooled PostgreSQL connections may be); other keys do not
 * wait; a failed step does not hold the key.
 */
import { describe, expect, it } from 'vitest';
import { ArrivalOrder } from '../../../src/main/engine/arrival-order';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('ArrivalOrder', () => {
  it('runs the steps on one key in call order, the next only after the previous has settled', async () => {
    const order = new ArrivalOrder();
    const seen: string[] = [];
    const slow = gate();
    const first = order.inTurn('ana', async () => {
      seen.push('first starts');
      await slow.opened;
      seen.push('first ends');
      return 1;
    });
    const second = order.inTurn('ana', async () => {
      seen.push('second starts');
      return 2;
    });
    // The second step has not started while the first is pending, however many turns pass.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['first starts']);
    slow.open();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(seen).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('another key does not wait, and a failed step passes the turn on', async () => {
    const order = new ArrivalOrder();
    const held = gate();
    const ana = order.inTurn('ana', () => held.opened);
    await expect(order.inTurn('bob', async () => 'bob')).resolves.toBe('bob');
    held.open();
    await ana;
    await expect(order.inTurn('ana', async () => {
      throw new Error('unknown client');
    })).rejects.toThrow('unknown client');
    await expect(order.inTurn('ana', async () => 'next')).resolves.toBe('next');
  });
});
