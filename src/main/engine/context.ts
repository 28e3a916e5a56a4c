/**
 * What every engine operation works with: the store, the clock, the keys, the settings, and `run()`, the
 * one way to change state. `run()` executes a unit of work in a single store transaction; the domain events
 * it emits are appended to the hash-chained audit log inside that same transaction, and only after commit are
 * they delivered to live listeners (console) and the revocation feed. So an event is never seen for a change
 * that rolled back, and no committed change lacks its audit entry. The one exception is routine activity a
 * unit `announce`s instead (a refresh while the `auditRefreshes` setting is off): delivered live, not audited.
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
  /** Appends the event to the audit chain, and delivers it live once the transaction commits. */
  emit(event: EventInput): void;
  /** Delivers the event live once the transaction commits, without an audit entry (`seq: null`): routine activity. */
  announce(event: EventInput): void;
  revoke(row: Omit<RevocationRow, 'id' | 'createdAt'>): number;
  count(name: CounterName, by?: number): void;
  /**
   * Runs `fn` once the transaction has committed, before its events are delivered; dropped if it rolls back.
   * In-memory state that mirrors a row (the key ring, the settings) changes here, never inside the work.
   */
  afterCommit(fn: () => void): void;
}

type Listener<T> = (value: T) => void;

/** What one transaction has appended so far, published only once it commits. */
interface Unit {
  chainHead: string;
  /** Counter increments, written once per transaction (two statements each would cost a refresh dearly). */
  counts: Map<CounterName, number>;
  delivered: LiveEvent[];
  revocations: RevocationRow[];
  committed: (() => void)[];
  /** Whether its transaction commits with synchronous=FULL, and whether a unit in it asked for that. */
  durable: boolean;
  needsDurable: boolean;
}

/**
 * The audited events that alone do not need a durable commit: routine activity a power cut may take back at the
 * cost of a new sign-in (see docs/operations.md, "What a power cut can cost"). Any other event, and any
 * revocation, makes its transaction commit with synchronous=FULL. New event types are durable by default.
 */
const ROUTINE_EVENTS: ReadonlySet<DomainEventType> = new Set<DomainEventType>(['session.refreshed', 'feed.acknowledged']);
/** Thrown inside a routine transaction to roll it back and run it again durably (see EngineContext.commit). */
const NEEDS_DURABLE = new Error('a routine transaction needs a durable commit');

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

  /** Commits durably (synchronous=FULL): an admin action, a login, a key change is on disk before it is answered. */
  run<T>(work: (tx: Tx) => T): T {
    // Inside an open unit (a batch, or a rule calling another), join it: one transaction, one publication.
    if (this.open) return this.runInside(this.open, work);
    return this.commit((unit) => this.runInside(unit, work), true);
  }

  /**
   * One store transaction for `body`. A routine one (durable false: synchronous=NORMAL, which a power cut may
   * take back) that turns out to need durability — a unit revoked something or emitted a security event — is
   * rolled back at that moment, before anything is published, and run again durably (runMany's units are
   * re-runnable: they read the state they act on). SQLite refuses to change the level inside a transaction.
   */
  private commit<R>(body: (unit: Unit) => R, durable: boolean): R {
    const unit = this.openUnit(durable);
    try {
      const result = this.store.transaction(() => {
        const value = body(unit);
        // Also catches a unit that swallowed the NEEDS_DURABLE throw.
        if (unit.needsDurable && !durable) throw NEEDS_DURABLE;
        this.writeCounts(unit);
        return value;
      }, { durable });
      this.publish(unit);
      return result;
    } catch (error) {
      if (error !== NEEDS_DURABLE) throw error;
    } finally {
      this.open = undefined;
    }
    return this.commit(body, true);
  }

  /**
   * Runs several units of work in ONE transaction: one commit for many rotations — this is how concurrent
   * refreshes are coalesced. Nothing is published, and so no caller is answered, before that commit.
   * Savepoints per unit would cost a quarter of a refresh, so the batch runs without them; if any unit
   * throws, the whole batch is rolled back and every unit is run again in a transaction of its own, where
   * a throw undoes only that unit. Units must therefore read the state they act on (they all do).
   */
  runMany<T>(works: ((tx: Tx) => T)[]): ({ ok: true; value: T } | { ok: false; error: unknown })[] {
    if (this.open) throw new TypeError('runMany cannot be nested');
    if (works.length > 1) {
      try {
        const values = this.commit((unit) => works.map((work) => this.runInside(unit, work)), false);
        return values.map((value) => ({ ok: true as const, value }));
      } catch {
        // Rolled back; fall through to one transaction per unit.
      }
    }
    return works.map((work) => {
      try {
        return { ok: true as const, value: this.commit((unit) => this.runInside(unit, work), false) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
  }

  private openUnit(durable: boolean): Unit {
    this.open = { chainHead: this.lastHash, delivered: [], revocations: [], counts: new Map(), committed: [], durable, needsDurable: false };
    return this.open;
  }

  /** Events are appended to the audit chain as they are emitted, inside the unit's transaction. */
  private runInside<T>(unit: Unit, work: (tx: Tx) => T): T {
    const now = this.clock.now();
    const store = this.store;
    const needsDurable = () => {
      unit.needsDurable = true;
      if (!unit.durable) throw NEEDS_DURABLE;
    };
    const tx: Tx = {
      now,
      emit: (input) => {
        if (!ROUTINE_EVENTS.has(input.type)) needsDurable();
        const event = { userId: null, sessionId: null, reason: null, data: {}, ...input, at: now } as DomainEvent;
        const hash = auditHash(unit.chainHead, event);
        const seq = store.appendAudit({ ...event, prevHash: unit.chainHead, hash });
        unit.delivered.push({ ...event, seq });
        unit.chainHead = hash;
      },
      announce: (input) => {
        unit.delivered.push({ userId: null, sessionId: null, reason: null, data: {}, ...input, at: now, seq: null } as LiveEvent);
      },
      revoke: (row) => {
        needsDurable();
        const full = { ...row, createdAt: now };
        const id = store.insertRevocation(full);
        unit.revocations.push({ ...full, id });
        unit.counts.set('revocations', (unit.counts.get('revocations') ?? 0) + 1);
        return id;
      },
      count: (name, by = 1) => {
        unit.counts.set(name, (unit.counts.get(name) ?? 0) + by);
      },
      afterCommit: (fn) => {
        unit.committed.push(fn);
      },
    };
    return work(tx);
  }

  private writeCounts(unit: Unit): void {
    const now = this.clock.now();
    for (const [name, by] of unit.counts) this.store.incrementCounter(name, by, now);
    unit.counts.clear();
  }

  /** After commit: the chain head moves on, then the feed and the console hear about it. */
  private publish(unit: Unit): void {
    this.lastHash = unit.chainHead;
    // Memory first, so that a listener (the feed signing a SET, say) already sees the committed keys.
    for (const fn of unit.committed) {
      try {
        fn();
      } catch (error) {
        this.onListenerError(error);
      }
    }
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
