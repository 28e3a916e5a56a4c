/**
 * What every engine operation works with: the store, the clock, the keys, the settings, and `run()`, the
 * one way to change state. `run()` executes a unit of work in a single store transaction; the domain events
 * it emits are appended to the hash-chained audit log inside that same transaction, and only after commit are
 * they delivered to live listeners (console) and the revocation feed. So an event is never seen for a change
 * that rolled back, and no committed change lacks its audit entry.
 */
import type { Settings } from '../../shared/dto';
import type { DomainEvent, DomainEventType, LiveEvent } from '../../shared/events';
import type { CounterName, RevocationRow, Store } from '../store/store';
import { auditHash, GENESIS_HASH } from './audit-chain';
import type { Clock } from './clock';
import type { KeyRing } from './key-ring';
import type { KeyVault } from '../keys/vault';

export interface EventInput {
  type: DomainEventType;
  actor: string;
  userId?: string | null;
  sessionId?: string | null;
  reason?: string | null;
  data?: Record<string, unknown>;
}

/** The handle a unit of work gets: emit events, record revocations, bump counters. */
export interface Tx {
  readonly now: number;
  emit(event: EventInput): void;
  revoke(row: Omit<RevocationRow, 'id' | 'createdAt'>): number;
  count(name: CounterName, by?: number): void;
}

type Listener<T> = (value: T) => void;

/** What one transaction has appended so far, published only once it commits. */
interface Unit {
  chainHead: string;
  delivered: LiveEvent[];
  revocations: RevocationRow[];
}

export class EngineContext {
  private lastHash: string;
  private open: Unit | undefined;
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private readonly revocationListeners = new Set<Listener<RevocationRow>>();
  settings: Settings;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly keys: KeyRing,
    private readonly vault: KeyVault,
    readonly issuer: string,
    settings: Settings,
    private readonly onListenerError: (error: unknown) => void,
  ) {
    this.settings = settings;
    this.lastHash = store.lastAudit()?.hash ?? GENESIS_HASH;
  }

  now(): number {
    return this.clock.now();
  }

  /** Removes a private key that will never sign again. A vault failure is reported, not fatal. */
  async deletePrivateKey(kid: string): Promise<void> {
    try {
      await this.vault.delete(kid);
    } catch (error) {
      this.onListenerError(error);
    }
  }

  run<T>(work: (tx: Tx) => T): T {
    // Inside an open unit (a batch, or a rule calling another), join it: one transaction, one publication.
    if (this.open) return this.runInside(this.open, work);
    const unit = this.openUnit();
    try {
      const result = this.store.transaction(() => this.runInside(unit, work));
      this.publish(unit);
      return result;
    } finally {
      this.open = undefined;
    }
  }

  /**
   * Runs several units of work in ONE transaction, each in its own savepoint: a unit that throws rolls back
   * only itself and reports its error. This is how concurrent refreshes are coalesced: one commit (one
   * fsync) for many rotations. Nothing is published, and so no caller answered, before that commit.
   */
  runMany<T>(works: ((tx: Tx) => T)[]): ({ ok: true; value: T } | { ok: false; error: unknown })[] {
    if (this.open) throw new TypeError('runMany cannot be nested');
    const unit = this.openUnit();
    try {
      const results = this.store.transaction(() =>
        works.map((work) => {
          const mark = { events: unit.delivered.length, revocations: unit.revocations.length, head: unit.chainHead };
          try {
            return { ok: true as const, value: this.store.transaction(() => this.runInside(unit, work)) };
          } catch (error) {
            unit.delivered.length = mark.events;
            unit.revocations.length = mark.revocations;
            unit.chainHead = mark.head;
            return { ok: false as const, error };
          }
        }),
      );
      this.publish(unit);
      return results;
    } finally {
      this.open = undefined;
    }
  }

  private openUnit(): Unit {
    this.open = { chainHead: this.lastHash, delivered: [], revocations: [] };
    return this.open;
  }

  /** Events are appended to the audit chain as they are emitted, inside the unit's transaction. */
  private runInside<T>(unit: Unit, work: (tx: Tx) => T): T {
    const now = this.clock.now();
    const store = this.store;
    const tx: Tx = {
      now,
      emit: (input) => {
        const event = { userId: null, sessionId: null, reason: null, data: {}, ...input, at: now } as DomainEvent;
        const hash = auditHash(unit.chainHead, event);
        const seq = store.appendAudit({ ...event, prevHash: unit.chainHead, hash });
        unit.delivered.push({ ...event, seq });
        unit.chainHead = hash;
      },
      revoke: (row) => {
        const full = { ...row, createdAt: now };
        const id = store.insertRevocation(full);
        unit.revocations.push({ ...full, id });
        store.incrementCounter('revocations', 1, now);
        return id;
      },
      count: (name, by = 1) => store.incrementCounter(name, by, now),
    };
    return work(tx);
  }

  /** After commit: the chain head moves on, then the feed and the console hear about it. */
  private publish(unit: Unit): void {
    this.lastHash = unit.chainHead;
    for (const row of unit.revocations) this.deliver(this.revocationListeners, row);
    for (const event of unit.delivered) this.deliver(this.eventListeners, event);
  }

  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onRevocation(listener: Listener<RevocationRow>): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** A listener's failure must never undo or interrupt a committed change. */
  private deliver<T>(listeners: Set<Listener<T>>, value: T): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
