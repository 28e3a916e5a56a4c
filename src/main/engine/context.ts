/**
 * What every engine operation works with: the store, the clock, the keys, the settings, and `run()`, the
 * one way to change state. `run()` executes a unit of work in a single store transaction; the domain events
 * it emits are appended to the hash-chained audit log inside that same transaction, and only after commit are
 * they delivered to live listeners (console) and the revocation feed. So an event is never seen for a change
 * that rolled back, and no committed change lacks its audit entry. The one exception is routine activity a
 * unit `announce`s instead (a refresh while the `auditRefreshes` setting is off): delivered live, not audited.
 *
 * Two kinds of listeners, because several instances may share one database (docs/postgres.md, Several
 * instances): `onEvent`/`onRevocation` hear THIS instance's committed units only — for listeners that write or
 * count (watchClientAlgorithms creating keys, metrics): one change, one action, on the instance that made it.
 * `deployment` (./deployment-events.ts) hears what ANY instance committed — for listeners that only show or
 * forward (the console's live events, the revocation feed), read back from the store on its change signals.
 * On a shared store what a unit changed ('revocations', 'audit') is announced inside its transaction (by the
 * store's insertRevocation and auditTail.lockedHead), so the signal goes out with the commit, and it chains its audit entries onto the head it reads under the audit
 * lock (store.auditTail.lockedHead), never onto one remembered in memory (another instance may have appended).
 * SQLite (one process) keeps the head in memory and announces nothing: no extra statement on its hot path.
 *
 * The store is asynchronous, so other requests' continuations could run between a unit's awaits. Units stay
 * one at a time per engine: each outermost unit takes the engine's unit lock (a FIFO queue) for its whole
 * transaction and its publication, so two units never interleave and events are published in commit order.
 * A unit that calls `run()` again (a rule calling another) must JOIN the open unit, not queue behind it (that
 * would wait for itself). Which unit a call belongs to is tracked with AsyncLocalStorage rather than by
 * passing the unit down: every rule would otherwise need a new parameter, and the call sites that nest
 * (revokeSession from admin actions, refresh reuse handling, …) are many and deep. The store tracks its own
 * transaction the same way; the cost is ~0.1 µs per promise.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Settings } from '../../shared/dto';
import type { DomainEvent, DomainEventType, LiveEvent } from '../../shared/events';
import type { AuditInsert, CounterName, RevocationRow, Store } from '../store/store';
import { rerunTransient } from '../store/transient-error';
import { auditHash, GENESIS_HASH } from './audit-chain';
import { DeploymentEvents } from './deployment-events';
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
  emit(event: EventInput): Promise<void>;
  /** Delivers the event live once the transaction commits, without an audit entry (`seq: null`): routine activity. */
  announce(event: EventInput): void;
  revoke(row: Omit<RevocationRow, 'id' | 'createdAt'>): Promise<number>;
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
  /** Audit entries chained but not yet written, with their slot in `delivered`: one append at the end (auditPending). */
  auditPending: Array<{ entry: AuditInsert & { prevHash: string; hash: string }; slot: number }>;
  revocations: RevocationRow[];
  committed: (() => void)[];
  /** Whether its transaction commits with synchronous=FULL, and whether a unit in it asked for that. */
  durable: boolean;
  needsDurable: boolean;
  /** Set once its transaction has ended: code that kept its async context (a timer, say) no longer joins it. */
  finished: boolean;
  /** Shared store: the chain head read under the audit lock (once per transaction). */
  headLocked?: Promise<void>;
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
  /** The unit the current asynchronous call belongs to (see the header). */
  private readonly units = new AsyncLocalStorage<Unit>();
  /** The unit lock: whether a unit is open, and the units queued behind it (first come, first served). */
  private busy = false;
  private readonly queued: (() => void)[] = [];
  private readonly eventListeners = new Set<Listener<LiveEvent>>();
  private readonly revocationListeners = new Set<Listener<RevocationRow>>();
  /** What the whole deployment committed, for listeners that show or forward it (see the header). */
  readonly deployment: DeploymentEvents;
  settings: Settings;

  private constructor(
    readonly store: Store,
    readonly clock: Clock,
    readonly keys: KeyRing,
    private readonly vault: KeyVault,
    readonly issuer: string,
    settings: Settings,
    private readonly onListenerError: (error: unknown) => void,
    lastHash: string,
    headSeq: number,
  ) {
    this.settings = settings;
    this.lastHash = lastHash;
    this.deployment = new DeploymentEvents(store, onListenerError, headSeq);
  }

  /** Opens a context on the store's audit chain (its head is read once, here; a shared store's again per unit). */
  static async open(store: Store, clock: Clock, keys: KeyRing, vault: KeyVault, issuer: string, settings: Settings,
    onListenerError: (error: unknown) => void): Promise<EngineContext> {
    const last = await store.lastAudit();
    return new EngineContext(store, clock, keys, vault, issuer, settings, onListenerError, last?.hash ?? GENESIS_HASH, last?.seq ?? 0);
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
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // Inside an open unit (a batch, or a rule calling another), join it: one transaction, one publication.
    const open = this.openUnit();
    if (open) return this.runInside(open, work);
    // A transaction another instance's aborted for a deadlock is run again, like a batch (see runMany): a unit
    // reads what it acts on inside its transaction, and nothing of it was committed or published. (Key material a
    // rule made before calling run, such as applyPlan's new keys, is reused as it was; SQLite never aborts so.)
    return this.exclusive(() => rerunTransient(() => this.commit((unit) => this.runInside(unit, work), true)));
  }

  /** The unit the current call runs in, if it is still open. */
  private openUnit(): Unit | undefined {
    const unit = this.units.getStore();
    return unit !== undefined && !unit.finished ? unit : undefined;
  }

  /** Runs `fn` holding the unit lock: one unit at a time, in arrival order. */
  private async exclusive<R>(fn: () => Promise<R>): Promise<R> {
    if (this.busy) await new Promise<void>((resolve) => this.queued.push(resolve));
    else this.busy = true;
    try {
      return await fn();
    } finally {
      // Hand the lock straight to the next unit (busy stays true), or free it.
      const next = this.queued.shift();
      if (next) next();
      else this.busy = false;
    }
  }

  /**
   * One store transaction for `body`. A routine one (durable false: synchronous=NORMAL, which a power cut may
   * take back) that turns out to need durability — a unit revoked something or emitted a security event — is
   * rolled back at that moment, before anything is published, and run again durably (runMany's units are
   * re-runnable: they read the state they act on). SQLite refuses to change the level inside a transaction.
   * Called with the unit lock held; publication happens before it is released, so in commit order.
   */
  private async commit<R>(body: (unit: Unit) => Promise<R>, durable: boolean): Promise<R> {
    const unit = this.newUnit(durable);
    try {
      const result = await this.units.run(unit, () => this.store.transaction(async () => {
        // Shared store: a unit that will append to the audit takes the chain's lock FIRST, before any row lock.
        // Taken later (at its first emit, after it has locked sessions and inserted revocations) two instances'
        // admin actions on the same sessions deadlock: one holds the revocation log's lock and waits for a row the
        // other holds while the other waits for that lock — and an admin action, unlike a refresh batch, is not
        // re-run. Routine batches that audit nothing (refreshes with auditRefreshes off) never take it.
        if (this.store.changes.shared && (durable || this.settings.auditRefreshes)) await (unit.headLocked ??= this.lockChainHead(unit));
        const value = await body(unit);
        // Also catches a unit that swallowed the NEEDS_DURABLE throw.
        if (unit.needsDurable && !durable) throw NEEDS_DURABLE;
        await this.writeAudit(unit);
        await this.writeCounts(unit);
        return value;
      }, { durable }));
      unit.finished = true;
      this.publish(unit);
      return result;
    } catch (error) {
      unit.finished = true;
      if (error !== NEEDS_DURABLE) throw error;
    }
    return this.commit(body, true);
  }

  /**
   * Runs several units of work in ONE transaction: one commit for many rotations — this is how concurrent
   * refreshes are coalesced. Nothing is published, and so no caller is answered, before that commit.
   * Savepoints per unit would cost a quarter of a refresh, so the batch runs without them; if any unit
   * throws, the whole batch is rolled back and every unit is run again in a transaction of its own, where
   * a throw undoes only that unit. Units must therefore read the state they act on (they all do).
   * The units of a batch run one after another (never interleaved), as they did when the store was synchronous.
   * A transaction the database aborted for a conflict with another instance's (a deadlock: two batches locking
   * the same sessions in opposite orders) is run again as it was, a bounded number of times (rerunTransient).
   */
  runMany<T>(works: ((tx: Tx) => Promise<T>)[]): Promise<({ ok: true; value: T } | { ok: false; error: unknown })[]> {
    if (this.openUnit()) return Promise.reject(new TypeError('runMany cannot be nested'));
    return this.exclusive(async () => {
      if (works.length > 1) {
        try {
          const values = await rerunTransient(() => this.commit(async (unit) => {
            const results: T[] = [];
            for (const work of works) results.push(await this.runInside(unit, work));
            return results;
          }, false));
          return values.map((value) => ({ ok: true as const, value }));
        } catch {
          // Rolled back; fall through to one transaction per unit.
        }
      }
      const results: ({ ok: true; value: T } | { ok: false; error: unknown })[] = [];
      for (const work of works) {
        try {
          results.push({ ok: true as const, value: await rerunTransient(() => this.commit((unit) => this.runInside(unit, work), false)) });
        } catch (error) {
          results.push({ ok: false as const, error });
        }
      }
      return results;
    });
  }

  private newUnit(durable: boolean): Unit {
    return { chainHead: this.lastHash, delivered: [], auditPending: [], revocations: [], counts: new Map(), committed: [], durable, needsDurable: false, finished: false };
  }

  /**
   * Events are chained onto the audit in the order they are emitted, and written inside the unit's transaction
   * before it commits (writeAudit: all of them in one call, one round trip on PostgreSQL). Nothing in a unit
   * reads the audit back, so writing at the end changes nothing but the round trips.
   */
  private runInside<T>(unit: Unit, work: (tx: Tx) => Promise<T>): Promise<T> {
    const now = this.clock.now();
    const store = this.store;
    const shared = store.changes.shared;
    const needsDurable = () => {
      unit.needsDurable = true;
      if (!unit.durable) throw NEEDS_DURABLE;
    };
    const tx: Tx = {
      now,
      emit: async (input) => {
        if (!ROUTINE_EVENTS.has(input.type)) needsDurable();
        const event = { userId: null, sessionId: null, reason: null, data: {}, ...input, at: now } as DomainEvent;
        const slot = unit.delivered.push({ ...event, seq: 0 }) - 1;
        // Shared store: the head another instance may have moved, read under the audit lock (held to commit).
        // Every emit of the unit awaits the same promise, so they resume in the order they were made.
        if (shared) await (unit.headLocked ??= this.lockChainHead(unit));
        // The chain head moves in the same synchronous step as the entry joins the pending list: two emits of
        // one unit that overlap still chain one after the other, in the order they are written.
        const prevHash = unit.chainHead;
        const hash = auditHash(prevHash, event);
        unit.chainHead = hash;
        unit.auditPending.push({ entry: { ...event, prevHash, hash }, slot });
      },
      announce: (input) => {
        unit.delivered.push({ userId: null, sessionId: null, reason: null, data: {}, ...input, at: now, seq: null } as LiveEvent);
      },
      revoke: async (row) => {
        needsDurable();
        const full = { ...row, createdAt: now };
        // With the commit, every instance's feed reads the log: the store announces it (Store.insertRevocation).
        const id = await store.insertRevocation(full);
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

  /** The audit lock and the chain's head for this transaction; the other instances' tails hear of it with the commit. */
  private async lockChainHead(unit: Unit): Promise<void> {
    const head = await this.store.auditTail.lockedHead();
    unit.chainHead = head?.hash ?? GENESIS_HASH;
  }

  /** The unit's audit entries, in chain order; their seqs go into what is delivered after commit. */
  private async writeAudit(unit: Unit): Promise<void> {
    const pending = unit.auditPending.splice(0);
    if (pending.length === 0) return;
    const seqs = await this.store.appendAudits(pending.map(({ entry }) => entry));
    pending.forEach(({ slot }, i) => {
      unit.delivered[slot] = { ...unit.delivered[slot]!, seq: seqs[i]! };
    });
  }

  private async writeCounts(unit: Unit): Promise<void> {
    const now = this.clock.now();
    // In name order: two instances' transactions that both count (refreshes, reuse alerts…) lock the counter
    // rows in one order, so they never deadlock on them.
    for (const [name, by] of [...unit.counts].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) await this.store.incrementCounter(name, by, now);
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
    this.deployment.published(unit.delivered, unit.revocations.length > 0);
  }

  /** This instance's committed (and announced) events only: for listeners that write or count (see the header). */
  onEvent(listener: Listener<LiveEvent>): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** This instance's committed revocations only (see the header; deployment.onRevocationsChanged for all). */
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
