/**
 * Collects what arrives during one event-loop turn and hands it over together at the start of the next
 * (setImmediate): how refreshes and feed acknowledgements get one transaction per turn instead of one each.
 */
export class TurnBatch<T> {
  private items: T[] = [];

  constructor(private readonly flush: (items: T[]) => void) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length === 1) setImmediate(() => this.drain());
  }

  /** Hands over whatever is queued right now (also at shutdown, so nothing queued is dropped). */
  drain(): void {
    const items = this.items.splice(0);
    if (items.length > 0) this.flush(items);
  }
}
