/**
 * Deployment signals on PostgreSQL (the StoreChanges contract, ../store.ts): LISTEN/NOTIFY on one channel.
 *
 * - `announce(topic)` is `SELECT pg_notify(channel, topic)` through the store's query layer (./db.ts), so inside a
 *   transaction it runs on that transaction's connection: PostgreSQL delivers a NOTIFY only when its transaction
 *   commits, and never when it rolls back; several notifications of one topic in one transaction are folded into
 *   one. Outside a transaction it is delivered at once.
 * - Each store keeps ONE dedicated connection (not from the pool: a pooled connection is shared and would lose
 *   its LISTEN when released) that LISTENs and hands every notification to the subscribers. The announcing
 *   instance hears its own topics too, like everyone else.
 * - When that connection is lost (database restart, network, pg_terminate_backend), it reconnects with a bounded
 *   exponential backoff (RECONNECT_MIN_MS doubling up to RECONNECT_MAX_MS, for as long as the store is open).
 *   Notifications sent meanwhile are lost, so after each reconnect the subscribers hear 'resync': every cache
 *   re-reads everything it mirrors.
 * - Payloads are only topic names, never data: a subscriber re-reads the store. An unknown payload (a newer build
 *   announcing a topic this one has no cache for) is ignored.
 */
import pg from 'pg';
import { WardenError } from '../../../shared/errors';
import type { ChangeTopic, StoreChanges } from '../store';
import type { Db } from './db';

export const CHANGES_CHANNEL = 'token_warden_changes';
const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(['revocations', 'audit', 'settings', 'keys', 'clients', 'outbox']);
export const RECONNECT_MIN_MS = 50;
export const RECONNECT_MAX_MS = 2_000;

type Listener = (topic: ChangeTopic | 'resync') => void;

export interface PgChangesOptions {
  url: string;
  connectTimeoutMs?: number;
  /** Hears a lost listening connection, a failed reconnect and a subscriber's throw (never fatal). */
  onBackgroundError?: (message: string) => void;
}

export class PgChanges implements StoreChanges {
  readonly shared = true;
  private readonly listeners = new Set<Listener>();
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly report: (message: string) => void;

  private constructor(private readonly db: Db, private readonly options: PgChangesOptions) {
    this.report = options.onBackgroundError ?? (() => {});
  }

  /** Starts listening; resolves once LISTEN is in place (announcements committed after that are heard). */
  static async open(db: Db, options: PgChangesOptions): Promise<PgChanges> {
    const changes = new PgChanges(db, options);
    try {
      changes.client = await changes.connect();
    } catch (error) {
      throw new WardenError('storage_error', `Cannot listen for changes on the database at ${db.where}: ${(error as Error).message}`);
    }
    return changes;
  }

  async announce(topic: ChangeTopic): Promise<void> {
    await this.db.run('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, topic]);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Whether the listening connection is up: while it is down, announcements are missed, so a cache must not
   * serve from memory (it hears 'resync' once it is back).
   */
  get listening(): boolean {
    return this.client !== undefined && !this.closed;
  }

  /** The server process id of the listening connection (tests end it with pg_terminate_backend), if connected. */
  listenerPid(): number | undefined {
    return (this.client as (pg.Client & { processID?: number }) | undefined)?.processID ?? undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.listeners.clear();
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.url, connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
      // A silently dead peer (a network cut, no FIN) is found by TCP keepalive probes starting after 10 s idle.
      application_name: 'token-warden changes', keepAlive: true, keepAliveInitialDelayMillis: 10_000,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      client.end().catch(() => {});
      if (this.client === client) this.client = undefined;
      if (this.closed) return;
      this.report(`the change listener's database connection was lost${error ? `: ${error.message}` : ''}; reconnecting`);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload !== undefined && TOPICS.has(message.payload)) {
        this.emit(message.payload as ChangeTopic);
      }
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      lost = true; // a failed attempt is retried by the caller, not by onLost
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  private scheduleReconnect(): void {
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(this.failures, 16));
    this.failures += 1;
    this.retry = setTimeout(() => void this.reconnect(), delay);
    this.retry.unref();
  }

  private async reconnect(): Promise<void> {
    if (this.closed) return;
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (error) {
      if (this.closed) return;
      this.report(`the change listener could not reconnect: ${(error as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
    // What was announced while we were away is lost: every cache re-reads.
    this.emit('resync');
  }

  private emit(topic: ChangeTopic | 'resync'): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(topic);
      } catch (error) {
        this.report(`a change subscriber failed on '${topic}': ${(error as Error).message}`);
      }
    }
  }
}
