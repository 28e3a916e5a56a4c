/**
 * Failed-password throttling per source address: a sliding window of failure times per IP, in memory.
 * The engine throttles per user; this stops one address from spraying guesses across many users.
 * Successes are never counted, so a busy first-party client is not slowed down.
 */
import type { Clock } from '../engine/clock';

export interface ThrottleOptions {
  /** Failures allowed inside the window before the address is refused. */
  maxFailures: number;
  windowMs: number;
  /** Addresses tracked at most (memory bound); the stalest are forgotten first. */
  maxAddresses?: number;
}

export const DEFAULT_ADDRESS_THROTTLE: ThrottleOptions = { maxFailures: 20, windowMs: 60_000, maxAddresses: 10_000 };

export class AddressThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly options: ThrottleOptions = DEFAULT_ADDRESS_THROTTLE,
  ) {}

  /** Milliseconds the address must wait before its next password attempt; 0 when it may try now. */
  retryAfterMs(address: string): number {
    const times = this.recent(address);
    if (times.length < this.options.maxFailures) return 0;
    // The address may try again once enough of its failures have slid out of the window.
    const oldestThatMustExpire = times[times.length - this.options.maxFailures]!;
    return Math.max(1, oldestThatMustExpire + this.options.windowMs - this.clock.now());
  }

  recordFailure(address: string): void {
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
