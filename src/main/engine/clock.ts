/** The engine never calls Date.now(): every rule reads time from an injected clock. */
export interface Clock {
  /** ms since the epoch */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock for tests: frozen until advanced. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 1, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
