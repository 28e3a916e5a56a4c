/**
 * What the whole deployment committed, for the listeners that only SHOW or FORWARD it (the console's live
 * events, the revocation feed): this instance's own units, published by EngineContext right after their commit,
 * and — on a shared store (PostgreSQL, several instances) — what the other instances committed, learnt from the
 * store's change signals (Store.changes) by RE-READING the store, never from a payload:
 *
 * - events: on an 'audit' signal the audit log is tailed by seq (store.auditTail.after) and each entry another
 *   instance wrote is delivered as a LiveEvent. Entries this instance published itself are skipped (their seqs
 *   are remembered until the tail passes them). Announced-only events (seq null: routine activity the
 *   `auditRefreshes` setting keeps out of the audit) exist nowhere but in memory: they stay on the instance that
 *   announced them. The tail starts at the log's head when the engine opens and follows it for the engine's
 *   life (a console connecting later hears from then on, as on one instance); with `auditRefreshes` off (the
 *   default) routine refreshes write no audit entries, so it reads on admin actions and sign-ins, not on refreshes.
 * - revocations: a 'revocations' signal (or a local commit that revoked) tells the listeners that the log may
 *   have new rows; they read them by id themselves (the feed does: revocationsAfter(lastSent)).
 * - 'resync' (the signal connection was lost and is back: signals may be missing): both of the above.
 *
 * On SQLite (one process) the deployment is this instance: listeners hear exactly the local publications.
 * Listeners that WRITE must not subscribe here (each instance would act once for the same change): they use
 * EngineContext.onEvent/onRevocation, which hear this instance's own commits only.
 */
import type { LiveEvent } from '../../shared/events';
import type { ChangeTopic, Store } from '../store/store';

type Listener<T> = (value: T) => void;

/** Audit entries read per query while catching up. */
const TAIL_BATCH = 200;

export class DeploymentEvents {
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private readonly revocationListeners = new Set<() => void>();
  private readonly unsubscribe: () => void;
  /** The last audit seq delivered or skipped by the tail. */
  private cursor: number;
  /** Seqs this instance published itself, not yet passed by the tail. */
  private readonly ownSeqs = new Set<number>();
  private reading = false;
  private readAgain = false;
  private closed = false;

  /** @param headSeq the audit log's last seq when the engine opened (0 when empty): the tail starts after it. */
  constructor(private readonly store: Store, private readonly onListenerError: (error: unknown) => void, headSeq: number) {
    this.cursor = headSeq;
    this.unsubscribe = store.changes.shared ? store.changes.subscribe((topic) => this.heard(topic)) : () => {};
  }

  /** Every event the deployment committed (see the header); unsubscribe with the returned function. */
  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Called whenever the revocation log may have new rows, from any instance (see the header). */
  onRevocationsChanged(listener: () => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** This instance's commit, right after it (EngineContext.publish): its events, and whether it revoked. */
  published(events: readonly LiveEvent[], revoked: boolean): void {
    if (revoked) this.revocationsChanged();
    const shared = this.store.changes.shared;
    for (const event of events) {
      if (shared && event.seq !== null) {
        // The tail may have read it already (its commit was visible before this publication ran).
        if (event.seq <= this.cursor) continue;
        // Remembered even with nobody listening: the tail must not hand it to a listener that comes later.
        this.ownSeqs.add(event.seq);
      }
      if (this.eventListeners.size > 0) this.deliver(event);
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.eventListeners.clear();
    this.revocationListeners.clear();
  }

  private heard(topic: ChangeTopic | 'resync'): void {
    if (topic === 'revocations' || topic === 'resync') this.revocationsChanged();
    if (topic === 'audit' || topic === 'resync') this.read();
  }

  private revocationsChanged(): void {
    for (const listener of [...this.revocationListeners]) {
      try {
        listener();
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Reads the audit log after the cursor until it is exhausted; one read at a time, a signal meanwhile re-reads. */
  private read(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    void this.drain().finally(() => {
      this.reading = false;
    });
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.readAgain = false;
        let batch;
        do {
          batch = await this.store.auditTail.after(this.cursor, TAIL_BATCH);
          if (this.closed) return;
          for (const entry of batch) {
            if (entry.seq <= this.cursor) continue;
            this.cursor = entry.seq;
            if (this.ownSeqs.delete(entry.seq)) continue;
            const { prevHash: _prev, hash: _hash, ...event } = entry;
            this.deliver(event as LiveEvent);
          }
        } while (batch.length === TAIL_BATCH);
      } while (this.readAgain && !this.closed);
    } catch (error) {
      // The database is away: the signal connection's 'resync' on its return reads again from the cursor.
      if (!this.closed) this.onListenerError(error);
    }
  }

  private deliver(event: LiveEvent): void {
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
