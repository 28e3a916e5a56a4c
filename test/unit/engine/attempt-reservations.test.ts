/** The reserve-then-settle primitive both password throttles stand on. */
import { describe, expect, it } from 'vitest';
import { MemoryAttemptReservations, type AttemptSlot } from '../../../src/main/engine/attempt-reservations';

/** A recorded-failure count and a limit, as a throttle keeps them. */
function ledger(limit: number) {
  const state = { failures: 0 };
  return { state, admits: (inFlight: number) => state.failures + inFlight < limit };
}

/** Resolves on the next macrotask: every promise already settled has run its callbacks by then. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('attempt reservations', () => {
  it('admits up to the limit at once and makes the rest wait, first come first served', async () => {
    const reservations = new MemoryAttemptReservations();
    const { state, admits } = ledger(3);
    const order: number[] = [];
    const slots = Array.from({ length: 6 }, (_, i) =>
      reservations.reserve('ana', admits).then((slot) => {
        order.push(i);
        return slot;
      }),
    );
    await settled();
    expect(order).toEqual([0, 1, 2]);
    expect(reservations.inFlight('ana')).toBe(3);

    // A success frees its room: the longest waiter takes it.
    (await slots[1])!.release();
    await settled();
    expect(order).toEqual([0, 1, 2, 3]);

    // A failure is recorded before its slot is released: the room stays used.
    state.failures += 1;
    (await slots[0])!.release();
    await settled();
    expect(order).toEqual([0, 1, 2, 3]);
    expect(reservations.inFlight('ana')).toBe(2);

    // Failures fill the limit: once nothing is left in flight, the waiters are refused.
    state.failures += 2;
    (await slots[2])!.release();
    (await slots[3])!.release();
    expect(await slots[4]).toBeUndefined();
    expect(await slots[5]).toBeUndefined();
    expect(reservations.inFlight('ana')).toBe(0);
  });

  it('refuses at once when the recorded state alone leaves no room', async () => {
    const reservations = new MemoryAttemptReservations();
    const { state, admits } = ledger(2);
    state.failures = 2;
    expect(await reservations.reserve('ana', admits)).toBeUndefined();
  });

  it('keeps keys apart', async () => {
    const reservations = new MemoryAttemptReservations();
    const { admits } = ledger(1);
    const ana = await reservations.reserve('ana', admits);
    const ben = await reservations.reserve('ben', admits);
    expect(ana).toBeDefined();
    expect(ben).toBeDefined();
    expect([reservations.inFlight('ana'), reservations.inFlight('ben')]).toEqual([1, 1]);
  });

  it('a released slot frees its room once, however often release is called', async () => {
    const reservations = new MemoryAttemptReservations();
    const { admits } = ledger(2);
    const first = (await reservations.reserve('ana', admits))!;
    const second = (await reservations.reserve('ana', admits))!;
    const waiting: (AttemptSlot | undefined)[] = [];
    void reservations.reserve('ana', admits).then((slot) => waiting.push(slot));
    void reservations.reserve('ana', admits).then((slot) => waiting.push(slot));
    first.release();
    first.release();
    await settled();
    expect(waiting).toHaveLength(1);
    expect(reservations.inFlight('ana')).toBe(2);
    second.release();
    await settled();
    expect(waiting).toHaveLength(2);
  });

  it('bounds the attempts waiting on one key: beyond it, refused at once', async () => {
    const reservations = new MemoryAttemptReservations(2);
    const { admits } = ledger(1);
    const slot = (await reservations.reserve('ana', admits))!;
    const waiters = [reservations.reserve('ana', admits), reservations.reserve('ana', admits)];
    expect(await reservations.reserve('ana', admits)).toBeUndefined();
    slot.release();
    const first = (await waiters[0])!;
    expect(first).toBeDefined();
    first.release();
    expect(await waiters[1]).toBeDefined();
  });
});
