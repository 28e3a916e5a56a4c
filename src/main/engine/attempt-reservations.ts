/**
 * Password attempts in flight, per key (a user id, a source address). A throttle that only looks at recorded
 * failures lets every concurrent guess through, because none of them has failed yet when the next one is
 * checked. So an attempt reserves a slot before its password is evaluated, and settles it afterwards: the
 * caller records a failure (or nothing, for a success) and then releases the slot. A throttle admits an
 * attempt only while `recorded failures + reservations in flight` leaves room, so the number of guesses that
 * can be evaluated is bounded under any concurrency.
 *
 * An attempt that finds no room while others are in flight waits for them to settle instead of being
 * refused: their outcome decides whether there is room (successes free it, failures use it up), and a busy
 * first-party client whose logins succeed is never refused for its own successes. Waiting costs little:
 * scrypt runs on libuv's four threads, so more than four evaluations never run at once anyway.
 *
 * The interface is what a throttle needs; this implementation keeps the reservations in memory, which is
 * right for one process (SQLite). Several instances on one database would each admit their own share: there
 * ./leased-attempt-reservations.ts keeps them as lease rows in the database instead.
 */

/** One reserved attempt. Release it once, after its outcome is recorded (committed). */
export interface AttemptSlot {
  release(): void;
}

export interface AttemptReservations {
  /**
   * Reserves a slot on `key`. `admits(inFlight)` says whether the recorded state plus `inFlight` reservations
   * leaves room for one more; it is asked again whenever a reservation on the key ends, so it must read the
   * current recorded state each time. It may be asynchronous (it reads the store): the decisions on one key
   * are taken one at a time, each granting its slot before the next is asked, so two attempts can never both
   * be admitted on the same room. Resolves `undefined` (refused) when there is no room and nothing in flight
   * could make some, or when too many attempts are already waiting; rejects when `admits` does.
   */
  reserve(key: string, admits: (inFlight: number) => Promise<boolean> | boolean): Promise<AttemptSlot | undefined>;
  /** Reservations in flight on `key` (for tests and diagnostics). */
  inFlight(key: string): number;
}

interface Waiter {
  admits: (inFlight: number) => Promise<boolean> | boolean;
  resolve: (slot: AttemptSlot | undefined) => void;
  reject: (error: unknown) => void;
}

interface Entry {
  inFlight: number;
  waiting: Waiter[];
  /** A decision is being taken (its `admits` is reading the store): the next waits for it. */
  deciding: boolean;
  /** A reservation ended while a decision was being taken: the one refused on the older count is asked again. */
  changed: boolean;
}

/** Attempts allowed to wait on one key; beyond it an attempt is refused at once (a memory bound). */
export const DEFAULT_MAX_WAITING = 1_000;

export class MemoryAttemptReservations implements AttemptReservations {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxWaiting = DEFAULT_MAX_WAITING) {}

  reserve(key: string, admits: (inFlight: number) => Promise<boolean> | boolean): Promise<AttemptSlot | undefined> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { inFlight: 0, waiting: [], deciding: false, changed: false };
      this.entries.set(key, entry);
    }
    if (entry.waiting.length >= this.maxWaiting) return Promise.resolve(undefined);
    const current = entry;
    // First come, first served: a newcomer queues behind every attempt already waiting or being decided.
    return new Promise((resolve, reject) => {
      current.waiting.push({ admits, resolve, reject });
      this.decide(key, current);
    });
  }

  inFlight(key: string): number {
    return this.entries.get(key)?.inFlight ?? 0;
  }

  private grant(key: string, entry: Entry): AttemptSlot {
    entry.inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight -= 1;
        entry.changed = true;
        this.decide(key, entry);
      },
    };
  }

  /**
   * Takes the decisions of the waiting attempts in order, one at a time. The in-flight count handed to `admits`
   * is read before its recorded state: a reservation that ends meanwhile (its failure recorded, then released)
   * is counted twice at worst, never missed, so the limit holds; `changed` then asks again with the new count.
   */
  private decide(key: string, entry: Entry): void {
    if (entry.deciding) return;
    entry.deciding = true;
    void (async () => {
      try {
        while (entry.waiting.length > 0) {
          const next = entry.waiting[0]!;
          entry.changed = false;
          let admitted: boolean;
          try {
            admitted = await next.admits(entry.inFlight);
          } catch (error) {
            entry.waiting.shift();
            next.reject(error);
            continue;
          }
          if (admitted) {
            entry.waiting.shift();
            next.resolve(this.grant(key, entry));
          } else if (entry.changed) {
            continue;
          } else if (entry.inFlight === 0) {
            // Nothing left in flight can free room: the recorded state alone refuses it.
            entry.waiting.shift();
            next.resolve(undefined);
          } else {
            break; // a reservation ending will ask again
          }
        }
      } finally {
        entry.deciding = false;
        this.forgetIfIdle(key, entry);
      }
    })();
  }

  private forgetIfIdle(key: string, entry: Entry): void {
    if (entry.inFlight === 0 && entry.waiting.length === 0 && !entry.deciding && this.entries.get(key) === entry) this.entries.delete(key);
  }
}
