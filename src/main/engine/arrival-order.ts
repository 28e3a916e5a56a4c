/**
 * Keeps concurrent calls on one key in the order they arrived, through a step that reads the store.
 *
 * A login looks up its client and user before it queues for an attempt slot (./attempt-reservations.ts, whose
 * queue is first come, first served). On SQLite those reads are answered one after another, in call order; on
 * PostgreSQL they run at once on pooled connections and finish in any order, so a right password sent after
 * three guesses could take a slot before them (and its success clears the count that should lock). Running
 * each arrival's step after the previous arrival's step on the same key restores the order: the step ends once
 * the slot is asked for (not granted), so calls queue in arrival order without waiting for each other's scrypt.
 */
export class ArrivalOrder {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `step` once the previous arrival's step on `key` has settled; resolves or rejects as `step` does. */
  async inTurn<T>(key: string, step: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let settled!: () => void;
    const mine = new Promise<void>((resolve) => (settled = resolve));
    this.tails.set(key, mine);
    try {
      if (previous) await previous;
      return await step();
    } finally {
      settled();
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}
