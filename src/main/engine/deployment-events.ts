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
 *   announced them. The tail runs only while someone listens: the first listener starts it at the log's head.
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
  /** The last audit seq delivered or skipped, while following (listeners present and the head read). */
  private cursor = 0;
  private following = false;
  /** Following was asked for but reading the head failed: the next signal tries again. */
  private headUnknown = false;
  /** Seqs this instance published itself, not yet passed by the tail. */
  private readonly ownSeqs = new Set<number>();
  private reading = false;
  private readAgain = false;
  /** Bumped whenever following stops: a read begun before must not deliver after. */
  private epoch = 0;

  constructor(private readonly store: Store, private readonly onListenerError: (error: unknown) => void) {
    this.unsubscribe = store.changes.shared ? store.changes.subscribe((topic) => this.heard(topic)) : () => {};
  }

  /** Every event the deployment committed (see the header); unsubscribe with the returned function. */
  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    if (this.eventListeners.size === 1 && this.store.changes.shared) this.follow();
    return () => {
      if (!this.eventListeners.delete(listener) || this.eventListeners.size > 0) return;
      this.following = false;
      this.headUnknown = false;
      this.epoch += 1;
      this.ownSeqs.clear();
    };
  }

  /** Called whenever the revocation log may have new rows, from any instance (see the header). */
  onRevocationsChanged(listener: () => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** This instance's commit, right after it (EngineContext.publish): its events, and whether it revoked. */
  published(events: readonly LiveEvent[], revoked: boolean): void {
    if (revoked) this.revocationsChanged();
    if (this.eventListeners.size === 0) return;
    const shared = this.store.changes.shared;
    for (const event of events) {
      if (shared && event.seq !== null) {
        // The tail may have read it already (its commit was visible before this publication ran).
        if (this.following && event.seq <= this.cursor) continue;
        this.ownSeqs.add(event.seq);
      }
      this.deliver(event);
    }
  }

  close(): void {
    this.unsubscribe();
    this.eventListeners.clear();
    this.revocationListeners.clear();
  }

  private heard(topic: ChangeTopic | 'resync'): void {
    if (topic === 'revocations' || topic === 'resync') this.revocationsChanged();
    if (topic !== 'audit' && topic !== 'resync') return;
    if (this.following) this.read();
    else if (this.headUnknown && this.eventListeners.size > 0) {
      this.headUnknown = false;
      this.follow();
    }
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

  /** Starts the tail at the log's head: a console that just connected reads what came before itself. */
  private follow(): void {
    const epoch = this.epoch;
    this.store.lastAudit().then((last) => {
      if (epoch !== this.epoch) return;
      this.cursor = last?.seq ?? 0;
      for (const seq of this.ownSeqs) if (seq <= this.cursor) this.ownSeqs.delete(seq);
      this.following = true;
      // Whatever committed after that head and before the first signal is read now.
      this.read();
    }, (error: unknown) => {
      if (epoch !== this.epoch) return;
      // The database is away: the next signal (a 'resync' once the signal connection is back) tries again.
      this.headUnknown = true;
      this.onListenerError(error);
    });
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
    const epoch = this.epoch;
    try {
      do {
        this.readAgain = false;
        let batch;
        do {
          batch = await this.store.auditTail.after(this.cursor, TAIL_BATCH);
          if (epoch !== this.epoch) return;
          for (const entry of batch) {
            if (entry.seq <= this.cursor) continue;
            this.cursor = entry.seq;
            if (this.ownSeqs.delete(entry.seq)) continue;
            const { prevHash: _prev, hash: _hash, ...event } = entry;
            this.deliver(event as LiveEvent);
          }
        } while (batch.length === TAIL_BATCH);
      } while (this.readAgain && epoch === this.epoch);
    } catch (error) {
      // The database is away: the signal connection's 'resync' on its return reads again from the cursor.
      this.onListenerError(error);
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
