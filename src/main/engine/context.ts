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

export class EngineContext {
  private lastHash: string;
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
    const now = this.clock.now();
    const events: DomainEvent[] = [];
    const revocations: RevocationRow[] = [];
    const delivered: LiveEvent[] = [];
    let chainHead = this.lastHash;
    const store = this.store;
    const result = store.transaction(() => {
      const tx: Tx = {
        now,
        emit: (event) => {
          events.push({ userId: null, sessionId: null, reason: null, data: {}, ...event, at: now } as DomainEvent);
        },
        revoke: (row) => {
          const full = { ...row, createdAt: now };
          const id = store.insertRevocation(full);
          revocations.push({ ...full, id });
          store.incrementCounter('revocations', 1, now);
          return id;
        },
        count: (name, by = 1) => store.incrementCounter(name, by, now),
      };
      const value = work(tx);
      for (const event of events) {
        const hash = auditHash(chainHead, event);
        const seq = store.appendAudit({ ...event, prevHash: chainHead, hash });
        delivered.push({ ...event, seq });
        chainHead = hash;
      }
      return value;
    });
    this.lastHash = chainHead;
    for (const row of revocations) this.deliver(this.revocationListeners, row);
    for (const event of delivered) this.deliver(this.eventListeners, event);
    return result;
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
