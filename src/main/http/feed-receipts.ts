/**
 * Receipts from resource servers: which subscribed client applied which feed event, and when. Kept in
 * memory (they prove propagation to a watching admin; they are not an audit record) and bounded.
 */

export interface FeedReceipt {
  clientId: string;
  /** When the resource server applied the event (its own clock, ms). */
  appliedAt: number;
  /** When the acknowledgement reached the token service (ms). */
  receivedAt: number;
}

export type ReceiptListener = (feedEventId: number, receipt: FeedReceipt) => void;

export class FeedReceipts {
  private readonly byEvent = new Map<number, Map<string, FeedReceipt>>();
  private readonly listeners = new Set<ReceiptListener>();

  constructor(private readonly maxEvents = 10_000) {}

  /** Records one client's receipt; a repeated acknowledgement keeps the first one. */
  record(feedEventId: number, receipt: FeedReceipt): void {
    let clients = this.byEvent.get(feedEventId);
    if (!clients) {
      clients = new Map();
      this.byEvent.set(feedEventId, clients);
      if (this.byEvent.size > this.maxEvents) {
        const oldest = this.byEvent.keys().next().value;
        if (oldest !== undefined) this.byEvent.delete(oldest);
      }
    }
    if (clients.has(receipt.clientId)) return;
    clients.set(receipt.clientId, receipt);
    for (const listener of this.listeners) listener(feedEventId, receipt);
  }

  /** Every receipt for one feed event (a Receipt's `feedEventId`), in arrival order. */
  receiptsFor(feedEventId: number): FeedReceipt[] {
    return [...(this.byEvent.get(feedEventId)?.values() ?? [])];
  }

  /** Called for every new receipt. Returns an unsubscribe function. */
  onReceipt(listener: ReceiptListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
