/**
 * Attempt reservations kept in the database (./attempt-reservations.ts has the rule and the in-memory version):
 * with several instances on one PostgreSQL, each would otherwise admit its own `maxFailedLogins` guesses on
 * the same user. Here a reservation is a lease row (../store/coordination-store.ts AttemptLeaseStore), and
 * every decision on a key, on any instance, holds that key's lock in the database while it counts the live
 * leases and reads the recorded failures: so across the deployment at most the limit's worth of passwords is
 * evaluated, however many attempts arrive on however many instances.
 *
 * A lease expires (ATTEMPT_LEASE_MS, by the database's clock) so that an instance that dies mid-attempt does not
 * hold room for ever. On one instance the decisions on a key are still taken one at a time, first come first
 * served; an attempt that finds the room taken waits: for a release on this instance (told at once), or, when
 * some of the leases are another instance's, by asking again every POLL_MS, and gives up (refused, as when
 * the room is gone) after MAX_REMOTE_WAIT_MS.
 */
import type { AttemptLeaseStore } from '../store/coordination-store';
import type { Store } from '../store/store';
import { DEFAULT_MAX_WAITING, MemoryAttemptReservations, type AttemptReservations, type AttemptSlot } from './attempt-reservations';

/**
 * The reservations an engine on `store` uses for `scope`: leases in the database when other instances may share
 * it (PostgreSQL), in memory when the process is alone with it (SQLite).
 */
export function attemptReservationsFor(store: Store, scope: string): AttemptReservations {
  const leases = store.coordination.attemptLeases;
  return leases ? new LeasedAttemptReservations(leases, scope) : new MemoryAttemptReservations();
}

/** The database key of `key` in `scope` (what AttemptLeaseStore.lock takes to guard that key's recorded count). */
export function attemptKey(scope: string, key: string): string {
  return `${scope}:${key}`;
}

/**
 * Inside the transaction that records an attempt's outcome: on a shared store, takes the key's lock and returns
 * the row re-read under it (another instance may have recorded a failure since `read` last ran); SQLite: `row`.
 */
export async function underAttemptLock<T>(store: Store, scope: string, key: string, row: T, read: () => Promise<T>): Promise<T> {
  const leases = store.coordination.attemptLeases;
  if (!leases) return row;
  await leases.lock(attemptKey(scope, key));
  return read();
}

/** A lease outlives any live attempt (scrypt, then one commit under the statement timeout) by far. */
export const ATTEMPT_LEASE_MS = 60_000;
/** How often an attempt waiting on another instance's leases asks again. */
export const POLL_MS = 50;
/** How long an attempt waits on other instances' leases before it is refused (then it may retry). */
export const MAX_REMOTE_WAIT_MS = 10_000;

interface Waiter {
  admits: (inFlight: number) => Promise<boolean> | boolean;
  resolve: (slot: AttemptSlot | undefined) => void;
  reject: (error: unknown) => void;
  polls: number;
}

interface Entry {
  /** Leases this instance holds on the key (released ones leave once their row is gone). */
  inFlight: number;
  waiting: Waiter[];
  running: boolean;
  /** A lease of this instance ended while a decision was being taken: ask again at once. */
  changed: boolean;
  /** Ends the current wait (a local release). */
  wake: (() => void) | undefined;
}

export class LeasedAttemptReservations implements AttemptReservations {
  private readonly entries = new Map<string, Entry>();

  /** @param scope keeps apart the key spaces sharing one lease table ('user', 'admin'). */
  constructor(
    private readonly leases: AttemptLeaseStore,
    private readonly scope: string,
    private readonly maxWaiting = DEFAULT_MAX_WAITING,
  ) {}

  reserve(key: string, admits: (inFlight: number) => Promise<boolean> | boolean): Promise<AttemptSlot | undefined> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { inFlight: 0, waiting: [], running: false, changed: false, wake: undefined };
      this.entries.set(key, entry);
    }
    if (entry.waiting.length >= this.maxWaiting) return Promise.resolve(undefined);
    const current = entry;
    return new Promise((resolve, reject) => {
      current.waiting.push({ admits, resolve, reject, polls: 0 });
      if (!current.running) void this.run(key, current);
    });
  }

  inFlight(key: string): number {
    return this.entries.get(key)?.inFlight ?? 0;
  }

  private grant(key: string, entry: Entry, lease: string): AttemptSlot {
    entry.inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        // The caller's outcome is committed; the lease row goes, then the attempts waiting here are asked again.
        // A failed delete leaves the row to expire: meanwhile it still counts (never too little, at worst too much).
        void this.leases.release(lease).catch(() => undefined).finally(() => {
          entry.inFlight -= 1;
          entry.changed = true;
          entry.wake?.();
          this.forgetIfIdle(key, entry);
        });
      },
    };
  }

  /** Takes the waiting attempts' decisions in order, one at a time (see the header). */
  private async run(key: string, entry: Entry): Promise<void> {
    entry.running = true;
    try {
      while (entry.waiting.length > 0) {
        const head = entry.waiting[0]!;
        entry.changed = false;
        let decision;
        try {
          decision = await this.leases.decide(attemptKey(this.scope, key), ATTEMPT_LEASE_MS, head.admits);
        } catch (error) {
          entry.waiting.shift();
          head.reject(error);
          continue;
        }
        if (decision.lease !== undefined) {
          entry.waiting.shift();
          head.resolve(this.grant(key, entry, decision.lease));
          continue;
        }
        if (entry.changed) continue;
        const remote = decision.inFlight > entry.inFlight;
        if (decision.inFlight === 0 || (remote && ++head.polls * POLL_MS > MAX_REMOTE_WAIT_MS)) {
          // Nothing in flight can free room (the recorded state alone refuses), or another instance's never did.
          entry.waiting.shift();
          head.resolve(undefined);
          continue;
        }
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            entry.wake = undefined;
            resolve();
          };
          // Only this instance's leases in flight: their release wakes us. Another instance's: ask again soon.
          const timer = remote ? setTimeout(done, POLL_MS) : undefined;
          timer?.unref();
          entry.wake = done;
        });
      }
    } finally {
      entry.running = false;
      this.forgetIfIdle(key, entry);
    }
  }

  private forgetIfIdle(key: string, entry: Entry): void {
    if (entry.inFlight === 0 && entry.waiting.length === 0 && !entry.running && this.entries.get(key) === entry) this.entries.delete(key);
  }
}
