/** The per-address password throttle: reserve before the engine evaluates, settle after (frozen clock). */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { AddressThrottle, type AddressAttempt } from '../../../src/main/http/address-throttle';

const settled = () => new Promise((resolve) => setImmediate(resolve));
const ADDRESS = '203.0.113.7';

function granted(result: AddressAttempt | { retryAfterMs: number } | undefined): AddressAttempt {
  if (!result || 'retryAfterMs' in result) throw new Error(`expected a reservation, got ${JSON.stringify(result)}`);
  return result;
}

describe('address throttle', () => {
  it('admits at most maxFailures attempts at once; when they all fail, the waiting ones are refused unevaluated', async () => {
    const clock = new ManualClock();
    const throttle = new AddressThrottle(clock, { maxFailures: 3, windowMs: 60_000 });
    const results: (AddressAttempt | { retryAfterMs: number } | undefined)[] = Array(10).fill(undefined);
    const pending = Array.from({ length: 10 }, (_, i) => throttle.reserve(ADDRESS).then((result) => (results[i] = result)));
    await settled();
    expect(results.filter((result) => result !== undefined)).toHaveLength(3);
    for (const result of results.slice(0, 3)) granted(result).settle(true);
    await Promise.all(pending);
    expect(results.slice(3)).toEqual(Array(7).fill({ retryAfterMs: 60_000 }));
    clock.advance(5_000);
    expect(await throttle.reserve(ADDRESS)).toEqual({ retryAfterMs: 55_000 });
  });

  it('never counts successes: a busy client is served, its logins waiting for room rather than refused', async () => {
    const clock = new ManualClock();
    const throttle = new AddressThrottle(clock, { maxFailures: 3, windowMs: 60_000 });
    let served = 0;
    const logins = Array.from({ length: 12 }, () =>
      throttle.reserve(ADDRESS).then((result) => {
        served += 1;
        // A success (or any outcome that is not a wrong password) only releases the reservation.
        granted(result).settle(false);
      }),
    );
    await Promise.all(logins);
    expect(served).toBe(12);
    expect(throttle.retryAfterMs(ADDRESS)).toBe(1);
  });

  it('failures slide out of the window; a failure settled twice counts once', async () => {
    const clock = new ManualClock();
    const throttle = new AddressThrottle(clock, { maxFailures: 2, windowMs: 60_000 });
    const first = granted(await throttle.reserve(ADDRESS));
    first.settle(true);
    first.settle(true);
    clock.advance(10_000);
    granted(await throttle.reserve(ADDRESS)).settle(true);
    expect(await throttle.reserve(ADDRESS)).toEqual({ retryAfterMs: 50_000 });
    clock.advance(50_000);
    granted(await throttle.reserve(ADDRESS)).settle(false);
    expect(await throttle.reserve('198.51.100.1')).toHaveProperty('settle');
  });
});
