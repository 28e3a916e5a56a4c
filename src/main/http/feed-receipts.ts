/**
 * Receipts from resource servers: which subscribed client applied which feed event, and when. Kept in
 * memory (they prove propagation to a watching admin; the audit's `feed.acknowledged` entries are the record)
 * and bounded. Two ways in: `record`, an acknowledgement this instance received (its listeners audit it), and
 * `heard`, one the deployment audited (any instance's `feed.acknowledged`, re-read from the audit log): kept
 * for the console without a second audit entry.
 */
import { z } from 'zod';
import type { LiveEvent } from '../../shared/events';

export interface FeedReceipt {
  clientId: string;
  /** When the resource server applied the event (its own clock, ms). */
  appliedAt: number;
  /** When the acknowledgement reached the token service (ms). */
  receivedAt: number;
}

/** The data of an audited `feed.acknowledged` (Engine.recordFeedAck). */
const auditedAck = z.object({
  clientId: z.string().min(1),
  feedEventId: z.number().int().positive(),
  appliedAt: z.number().int().nonnegative(),
  receivedAt: z.number().int().nonnegative(),
});

export type ReceiptListener = (feedEventId: number, receipt: FeedReceipt) => void;

export class FeedReceipts {
  private readonly byEvent = new Map<number, Map<string, FeedReceipt>>();
  private readonly listeners = new Set<ReceiptListener>();

  constructor(private readonly maxEvents = 10_000) {}

  /** Records one client's receipt; a repeated acknowledgement keeps the first one. */
  record(feedEventId: number, receipt: FeedReceipt): void {
    if (this.keep(feedEventId, receipt)) for (const listener of this.listeners) listener(feedEventId, receipt);
  }

  /**
   * Keeps a receipt the deployment already audited (`event` is a `feed.acknowledged` from the audit log, of
   * this instance or another): listeners are not called, so it is never audited again. Other events, and
   * receipts already known, change nothing.
   */
  heard(event: LiveEvent): void {
    if (event.type !== 'feed.acknowledged') return;
    const parsed = auditedAck.safeParse(event.data);
    if (!parsed.success) return;
    const { feedEventId, clientId, appliedAt, receivedAt } = parsed.data;
    this.keep(feedEventId, { clientId, appliedAt, receivedAt });
  }

  /** Stores a receipt unless its client's is known for that event; true when it was new. */
  private keep(feedEventId: number, receipt: FeedReceipt): boolean {
    let clients = this.byEvent.get(feedEventId);
    if (!clients) {
      clients = new Map();
      this.byEvent.set(feedEventId, clients);
      if (this.byEvent.size > this.maxEvents) {
        const oldest = this.byEvent.keys().next().value;
        if (oldest !== undefined) this.byEvent.delete(oldest);
      }
    }
    if (clients.has(receipt.clientId)) return false;
    clients.set(receipt.clientId, { clientId: receipt.clientId, appliedAt: receipt.appliedAt, receivedAt: receipt.receivedAt });
    return true;
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
