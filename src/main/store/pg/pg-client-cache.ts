/**
 * PgStore's committed client rows, kept in memory: every grant reads its client, a refresh four times (the
 * grant, its lifetimes, the access token's lifetime, the ID token), and each read was a round trip. Several
 * instances share the database, so the cache is deployment-wide in its invalidation (docs/postgres.md, Several
 * instances):
 *
 * - Every write of a client row (insert, update: disable, delete's tombstone, secret rotation) announces
 *   'clients' in its own transaction, so every instance drops its cache when that commits, and this one drops it
 *   again right after its own commit (before the notification comes back). 'resync' (the listening connection
 *   was lost and is back) drops it too.
 * - While the listening connection is down nothing is served from memory or remembered: a change made meanwhile
 *   would not be heard.
 * - Only committed rows are kept: a transaction that wrote a client reads it from the database (its own write)
 *   and never fills the cache; any other read is of committed data (READ COMMITTED). A read that was in flight
 *   while the cache was dropped is not kept (the generation moved on): it may predate the change.
 * - Unknown ids are not remembered, so the cache holds at most the registered clients.
 */
import type { ClientRow } from '../store';
import type { Db } from './db';
import type { PgChanges } from './pg-changes';

export class PgClientCache {
  private readonly rows = new Map<string, ClientRow>();
  /** Moves on with every drop: a read that started before it must not fill the cache. */
  private generation = 0;
  /** Transactions (Db.currentTransaction) that wrote a client row: they read from the database. */
  private readonly writers = new WeakSet<object>();

  constructor(private readonly db: Db, private readonly changes: Pick<PgChanges, 'listening' | 'announce' | 'subscribe'>) {
    changes.subscribe((topic) => {
      if (topic === 'clients' || topic === 'resync') this.drop();
    });
  }

  /** How many rows are kept (tests, diagnostics). */
  get size(): number {
    return this.rows.size;
  }

  drop(): void {
    this.generation += 1;
    this.rows.clear();
  }

  /** The client as `read` finds it, from memory when that is safe (see the header). */
  async get(clientId: string, read: () => Promise<ClientRow | undefined>): Promise<ClientRow | undefined> {
    const tx = this.db.currentTransaction();
    const usable = this.changes.listening && (tx === undefined || !this.writers.has(tx));
    if (usable) {
      const hit = this.rows.get(clientId);
      if (hit) return hit;
    }
    const generation = this.generation;
    const row = await read();
    if (row && usable && generation === this.generation && this.changes.listening) this.rows.set(clientId, row);
    return row;
  }

  /** Runs a write of client rows: announced with its transaction, dropped here once it has committed. */
  async write<T>(write: () => Promise<T>): Promise<T> {
    const tx = this.db.currentTransaction();
    if (tx !== undefined) this.writers.add(tx);
    const result = await write();
    // Outside a transaction the write has committed already: dropped at once, then the others are told.
    this.db.afterCommit(() => this.drop());
    await this.changes.announce('clients');
    return result;
  }
}
