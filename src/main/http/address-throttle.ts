/**
 * Failed-password throttling per source address: a sliding window of failure times per IP, in memory.
 * The engine throttles per user; this stops one address from spraying guesses across many users.
 *
 * An attempt reserves a slot before the engine evaluates its password and settles it after: a failure
 * becomes a recorded failure, anything else (a success, a refusal by the user's lock, a blocked user) just
 * releases it. An address is admitted only while `failures in the window + attempts in flight <
 * maxFailures`, so at most `maxFailures` wrong passwords per window are evaluated from one address however
 * many arrive at once. An attempt that finds the room taken by attempts in flight waits for them rather
 * than being refused (see ../engine/attempt-reservations.ts): successes are never counted, so a busy
 * first-party client is not refused for its own logins.
 */
import { MemoryAttemptReservations, type AttemptReservations, type AttemptSlot } from '../engine/attempt-reservations';
import type { Clock } from '../engine/clock';

export interface ThrottleOptions {
  /** Failures allowed inside the window before the address is refused. */
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at most (memory bound); the stalest are forgotten first. */
  maxAddresses?: number;
}

export const DEFAULT_ADDRESS_THROTTLE: ThrottleOptions = { maxFailures: 20, windowMs: 60_000, maxAddresses: 10_000 };

/** A reserved attempt from one address; settle it exactly once, after the engine has answered. */
export interface AddressAttempt {
  /** `failed`: the password was evaluated and was wrong (or the user unknown). */
  settle(failed: boolean): void;
}

export class AddressThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly options: ThrottleOptions = DEFAULT_ADDRESS_THROTTLE,
    private readonly attempts: AttemptReservations = new MemoryAttemptReservations(),
  ) {}

  /** Reserves an attempt for `address`, or says how long it must wait (refused without evaluating anything). */
  async reserve(address: string): Promise<AddressAttempt | { retryAfterMs: number }> {
    const slot = await this.attempts.reserve(address, (inFlight) => this.recent(address).length + inFlight < this.options.maxFailures);
    if (!slot) return { retryAfterMs: this.retryAfterMs(address) };
    let settled = false;
    return {
      settle: (failed) => {
        if (settled) return;
        settled = true;
        this.settle(address, slot, failed);
      },
    };
  }

  /** Milliseconds until the window has room again; at least 1 (also when only the waiting line was full). */
  retryAfterMs(address: string): number {
    const times = this.recent(address);
    if (times.length < this.options.maxFailures) return 1;
    // The address may try again once enough of its failures have slid out of the window.
    const oldestThatMustExpire = times[times.length - this.options.maxFailures]!;
    return Math.max(1, oldestThatMustExpire + this.options.windowMs - this.clock.now());
  }

  private settle(address: string, slot: AttemptSlot, failed: boolean): void {
    // Record before releasing, so the attempts that wake see the failure.
    if (failed) this.recordFailure(address);
    slot.release();
  }

  private recordFailure(address: string): void {
    const times = this.recent(address);
    times.push(this.clock.now());
    // Keep only what the window can still need.
    if (times.length > this.options.maxFailures) times.splice(0, times.length - this.options.maxFailures);
    this.failures.delete(address);
    this.failures.set(address, times);
    this.bound();
  }

  private recent(address: string): number[] {
    const times = this.failures.get(address);
    if (!times) return [];
    const cutoff = this.clock.now() - this.options.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= cutoff) drop += 1;
    if (drop > 0) times.splice(0, drop);
    if (times.length === 0) this.failures.delete(address);
    return times;
  }

  private bound(): void {
    const max = this.options.maxAddresses ?? 10_000;
    if (this.failures.size <= max) return;
    // Map order is insertion order and recordFailure re-inserts, so the first keys are the stalest.
    for (const key of this.failures.keys()) {
      if (this.failures.size <= max) break;
      this.failures.delete(key);
    }
  }
}
