/**
 * Collects what arrives during one event-loop turn and hands it over together at the start of the next
 * (setImmediate): how refreshes and feed acknowledgements get one transaction per turn instead of one each.
 * The hand-over is asynchronous (the store is): while one batch is being committed, whatever arrives waits
 * and goes, all together, into the next one — one flush at a time, so a busy turn still costs one commit.
 */
export class TurnBatch<T> {
  private items: T[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;

  /** @param flush commits a batch; it must settle every item itself and never reject */
  constructor(private readonly flush: (items: T[]) => Promise<void>) {}

  push(item: T): void {
    this.items.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== undefined || this.items.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  /**
   * Hands over whatever is queued right now, after the batch being committed (if any); also at shutdown, so
   * nothing queued is dropped. Resolves once it is committed.
   */
  async drain(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    const items = this.items.splice(0);
    if (items.length === 0) return;
    const flushing = this.flush(items);
    this.flushing = flushing;
    try {
      await flushing;
    } finally {
      this.flushing = undefined;
      // What arrived while this batch was committing has waited a whole commit already: it goes next.
      this.schedule();
    }
  }
}
