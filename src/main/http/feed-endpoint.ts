/**
 * The revocation feed: GET /events streams every revocation to confidential clients as signed SETs, and
 * POST /events/ack takes their receipts.
 *
 * Ordering without gaps or duplicates: a connection remembers the last id it sent and, whenever it is woken
 * (on connect, and by the engine for every revocation committed by any instance on the database: its change
 * signal, docs/postgres.md "Several instances"), sends whatever the revocation log holds
 * after that id, in id order. The log is the single source, so there is no separate "replay" and "live"
 * path to hand off between: an event committed during the replay is simply picked up by the next read.
 *
 * Limits (docs/feed.md): connections per client and in total are capped, a slot being taken synchronously
 * right after authentication so that simultaneous attempts cannot all pass the check; each SET is signed
 * once per (client, event) and reused by all of that client's connections; and all connections together
 * write and sign at most a fixed number of messages per event-loop turn, so a replay never starves the
 * token endpoint.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { WardenError } from '../../shared/errors';
import { readJson } from './body';
import { requireConfidentialClient } from './client-auth';
import { FEED_FORMAT_VERSION, FEED_READY_COMMENT, FEED_TOO_MANY_CONNECTIONS, FEED_VERSION_HEADER } from '@token-warden/verifier';
import type { RevocationRow } from '../store/store';
import type { ServiceContext } from './context';
import type { FeedReceipts } from './feed-receipts';
import { checkLimits, ConnectionSlots, DEFAULT_FEED_LIMITS, type FeedLimits } from './feed-limits';
import { keyRetiringMessage, keyRetiringSetClaims, revocationSetClaims, SignedSetCache } from './feed-set';
import { oauthEndpoint } from './oauth-endpoint';
import { HttpError, NO_STORE, sendJson } from './respond';
import { TurnBudget, type SseRegistry, type SseStream } from './sse';

export { DEFAULT_FEED_LIMITS, type FeedLimits } from './feed-limits';

/** What a refused connection is told to wait; the kit uses its own backoff. */
const RETRY_AFTER_SECONDS = 10;
/** Revocation rows read at once: small, so one read is a small part of a turn's budget. */
const READ_BATCH = 64;

export interface FeedSubscriber {
  clientId: string;
  connectedAt: number;
  lastEventId: number;
}

const ackSchema = z
  .object({
    ids: z.array(z.number().int().positive()).min(1).max(1000),
    appliedAt: z.array(z.number().int().nonnegative()).min(1).max(1000),
  })
  .strict()
  .refine((ack) => ack.ids.length === ack.appliedAt.length, 'ids and appliedAt must have the same length');

function parseLastEventId(req: IncomingMessage, url: URL): number {
  const header = req.headers['last-event-id'];
  const raw = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('last_event_id') ?? '0';
  if (!/^\d{1,15}$/.test(raw.trim())) throw new HttpError(400, 'invalid_request', 'Last-Event-ID must be a feed event id.');
  return Number(raw.trim());
}

/** 429 when the client holds its cap (its own doing), 503 when the feed as a whole is full. */
function refuse(res: ServerResponse, cap: 'client' | 'total', limits: FeedLimits): void {
  const headers = { ...NO_STORE, 'Retry-After': RETRY_AFTER_SECONDS };
  if (cap === 'client') {
    const description = `This client already holds ${limits.maxConnectionsPerClient} feed connections, the most allowed.`;
    sendJson(res, 429, { error: FEED_TOO_MANY_CONNECTIONS, error_description: description }, headers);
  } else {
    sendJson(res, 503, { error: 'temporarily_unavailable', error_description: 'The revocation feed has no free connection slot; retry later.' }, headers);
  }
}

class FeedConnection {
  private pumping = false;
  private again = false;
  /** kid → the retires_at this connection was told (feed format 1.1 key-retiring announcements). */
  readonly announced = new Map<string, number>();

  constructor(
    private readonly feed: RevocationFeed,
    readonly clientId: string,
    readonly stream: SseStream,
    public lastSent: number,
    readonly connectedAt: number,
  ) {}

  /** Sends everything committed after `lastSent`; safe to call at any time and any number of times. */
  wake(): void {
    if (this.stream.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.pump();
  }

  async pump(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        let rows: RevocationRow[];
        do {
          rows = await this.feed.readAfter(this.lastSent);
          for (const row of rows) {
            if (row.id <= this.lastSent) continue;
            if (!(await this.feed.send(this, row))) return;
          }
        } while (rows.length === READ_BATCH && !this.stream.closed);
      } while (this.again && !this.stream.closed);
    } catch (error) {
      // Signing or reading failed: drop the stream; the client reconnects with its Last-Event-ID.
      this.feed.ctx.logFault('GET /events', error);
      this.stream.close();
    } finally {
      this.pumping = false;
    }
  }
}

export class RevocationFeed {
  private readonly connections = new Set<FeedConnection>();
  /** Highest id ever delivered per client: acknowledgements beyond it are not believed. */
  private readonly delivered = new Map<string, number>();
  private readonly unsubscribe: Array<() => void>;
  private readonly limits: FeedLimits;
  private readonly slots: ConnectionSlots;
  private readonly sets: SignedSetCache;
  private readonly messages: TurnBudget;
  private readonly signatures: TurnBudget;
  /** Bumped by every signal that the log may have grown, before the connections are woken (see readAfter). */
  private generation = 0;
  /** Log reads in flight, by `generation afterId`: connections woken together at one id share one read. */
  private readonly reads = new Map<string, Promise<RevocationRow[]>>();
  /** Signed key-retiring announcements by `clientId kid retiresAt`; emptied on every key change. */
  private readonly retirements = new Map<string, string>();

  constructor(
    readonly ctx: ServiceContext,
    private readonly sse: SseRegistry,
    readonly receipts: FeedReceipts,
    limits: Partial<FeedLimits> = {},
  ) {
    this.limits = checkLimits({ ...DEFAULT_FEED_LIMITS, ...limits });
    this.slots = new ConnectionSlots(this.limits);
    this.sets = new SignedSetCache(this.limits.setCacheEntries);
    this.messages = new TurnBudget(this.limits.messagesPerTurn);
    this.signatures = new TurnBudget(this.limits.signaturesPerTurn);
    this.unsubscribe = [
      ctx.engine.onRevocation((row) => {
        // Before any connection is woken: not one more cached SET of a revoked key goes out.
        if (row.kind === 'key') this.sets.dropKid(row.subject);
      }),
      // Any instance's commit (or a 'resync'): every connection reads the log after its last id. A key revoked
      // on another instance drops its cached SETs through its `key.revoked` event below (the audit tail).
      ctx.engine.onRevocationsChanged(() => {
        this.generation += 1;
        for (const connection of this.connections) connection.wake();
      }),
      // The deployment's events: a client cut off or a key changed on any instance counts here too.
      ctx.engine.onEvent((event) => {
        // A client disabled or deleted, or its old secret refused at once, is refused at connect: the streams it
        // holds end too (a kit whose secret is still good reconnects, resuming from Last-Event-ID).
        const cut = event.type === 'client.disabled' || event.type === 'client.deleted' || (event.type === 'client.secret_rotated' && event.data.previousValidUntil === null);
        if (cut) {
          for (const connection of this.connections) if (connection.clientId === event.data.clientId) connection.stream.close();
          return;
        }
        if (!event.type.startsWith('key.')) return;
        if ((event.type === 'key.revoked' || event.type === 'key.retired') && typeof event.data.kid === 'string') this.sets.dropKid(event.data.kid);
        this.keysChanged();
      }),
      // Another instance's key change reaches this instance's key ring by a re-read, which may come after its
      // event: once the ring has the committed keys, the same again.
      ctx.engine.onKeysRefreshed(() => this.keysChanged()),
    ];
  }

  /** After a key change: the cached SETs and retirement announcements follow the key ring. */
  private keysChanged(): void {
    // Whatever the key change, only SETs whose key is still published may be served again.
    this.sets.keepOnly(new Set(this.ctx.engine.jwks().keys.map((key) => key.kid)));
    // Announcements are few (one per retiring key and client): re-signing them with the current key is
    // simpler than tracking which key signed each, and none signed by a revoked key is ever sent again.
    this.retirements.clear();
    for (const connection of this.connections) this.announceRetirements(connection);
  }

  /**
   * The log after `afterId` (READ_BATCH rows), one read for all the connections that ask for the same id after
   * the same signal: on PostgreSQL each read is a round trip, and a revocation wakes every connection at once.
   * Sharing is safe because a read joined was started after the latest signal (the generation), so it holds
   * every row committed before that signal; a row committed later brings its own signal, and a fresh read.
   */
  readAfter(afterId: number): Promise<RevocationRow[]> {
    const key = `${this.generation} ${afterId}`;
    let read = this.reads.get(key);
    if (read === undefined) {
      read = this.ctx.engine.revocationsAfter(afterId, READ_BATCH);
      this.reads.set(key, read);
      const settled = () => {
        this.reads.delete(key);
      };
      read.then(settled, settled);
    }
    return read;
  }

  /**
   * Writes the next event on one connection, within this turn's budgets; false once the stream is closed.
   * Nothing awaits between the cache lookup and the write, so a SET dropped because its key was revoked
   * can never be written afterwards.
   */
  async send(connection: FeedConnection, row: RevocationRow): Promise<boolean> {
    const turn = this.messages.take();
    if (turn) await turn;
    if (!this.sets.has(connection.clientId, row.id)) {
      const signing = this.signatures.take();
      if (signing) await signing;
    }
    if (connection.stream.closed) return false;
    const message = this.sets.get(connection.clientId, row.id) ?? this.sign(row, connection.clientId);
    const flushed = connection.stream.write(message);
    connection.lastSent = row.id;
    this.noteDelivered(connection.clientId, row.id);
    if (!flushed) await connection.stream.drained();
    return !connection.stream.closed;
  }

  /** Signs event `row` for `clientId` and returns its message, cached for the client's other connections. */
  private sign(row: RevocationRow, clientId: string): string {
    // iat is the time of signing: a reused SET says when it was made, not when it was sent.
    const claims = revocationSetClaims(row, this.ctx.engine.issuer, clientId, this.ctx.clock.now());
    return this.sets.put(clientId, row.id, this.ctx.engine.signSecurityEvent(claims as unknown as Record<string, unknown>));
  }

  /**
   * Tells `connection` each retiring key's retirement instant it was not told yet (feed format 1.1), so
   * that the kit refuses the key's tokens from that instant, as the engine does. Written at once, outside
   * the turn budgets: there are at most a few retiring keys, each signed once per client.
   */
  private announceRetirements(connection: FeedConnection): void {
    if (connection.stream.closed) return;
    for (const { kid, retiresAt } of this.ctx.engine.retiringKeys()) {
      if (connection.announced.get(kid) === retiresAt) continue;
      const cacheKey = `${connection.clientId} ${kid} ${retiresAt}`;
      let message = this.retirements.get(cacheKey);
      if (message === undefined) {
        const claims = keyRetiringSetClaims(kid, retiresAt, this.ctx.engine.issuer, connection.clientId, this.ctx.clock.now());
        message = keyRetiringMessage(this.ctx.engine.signSecurityEvent(claims as unknown as Record<string, unknown>));
        this.retirements.set(cacheKey, message);
      }
      connection.announced.set(kid, retiresAt);
      connection.stream.write(message);
    }
  }

  /** Connected resource servers, for the console. */
  subscribers(): FeedSubscriber[] {
    return [...this.connections].map((c) => ({ clientId: c.clientId, connectedAt: c.connectedAt, lastEventId: c.lastSent }));
  }

  noteDelivered(clientId: string, id: number): void {
    if ((this.delivered.get(clientId) ?? 0) < id) this.delivered.set(clientId, id);
  }

  close(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const connection of this.connections) connection.stream.close();
    this.connections.clear();
  }

  /** GET /events */
  streamEndpoint() {
    return oauthEndpoint(this.ctx, 'GET /events', async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      const client = await requireConfidentialClient(this.ctx.engine, req);
      const lastEventId = parseLastEventId(req, url);
      // The slot is taken before anything awaits: no other request can be counted in between.
      const slot = this.slots.take(client.clientId);
      if ('refused' in slot) {
        refuse(res, slot.refused, this.limits);
        return;
      }
      let stream: SseStream;
      try {
        stream = this.sse.open(req, res, { [FEED_VERSION_HEADER]: FEED_FORMAT_VERSION });
      } catch (error) {
        slot.release();
        throw error;
      }
      // Ask EventSource-style clients to reconnect quickly; the kit has its own backoff.
      stream.write('retry: 1000\n\n');
      const connection = new FeedConnection(this, client.clientId, stream, lastEventId, this.ctx.clock.now());
      this.connections.add(connection);
      stream.onClose(() => {
        this.connections.delete(connection);
        slot.release();
      });
      await connection.pump();
      // Before `ready`: a kit that is live knows every retirement instant.
      this.announceRetirements(connection);
      stream.write(`: ${FEED_READY_COMMENT} ${connection.lastSent}\n\n`);
      // Anything committed while the replay was finishing is sent now.
      connection.wake();
    });
  }

  /**
   * Of the acknowledged ids beyond what this instance sent the client, those another instance may have sent it:
   * behind a load balancer the kit's POST /events/ack need not reach the instance that holds its stream. Only
   * on a shared store, and only ids the deployment's log holds (one bounded read); on SQLite this instance is
   * the deployment, and an id it never sent was never delivered.
   */
  private async deliveredElsewhere(ids: readonly number[], maxDelivered: number): Promise<Set<number>> {
    if (!this.ctx.engine.sharedStore || ids.every((id) => id <= maxDelivered)) return new Set();
    const beyond = ids.filter((id) => id > maxDelivered);
    const highest = Math.max(...beyond);
    const lowest = Math.min(...beyond);
    const existing = new Set<number>();
    // The log's ids in [lowest, highest], at most as many rows as were acknowledged (ack batches hold ≤ 1000).
    for (const row of await this.ctx.engine.revocationsAfter(lowest - 1, Math.min(1000, highest - lowest + 1))) existing.add(row.id);
    return new Set(beyond.filter((id) => existing.has(id)));
  }

  /** POST /events/ack {ids, appliedAt}: receipts from the kit, batched. */
  ackEndpoint() {
    return oauthEndpoint(this.ctx, 'POST /events/ack', async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readJson(req);
      const client = await requireConfidentialClient(this.ctx.engine, req);
      const parsed = ackSchema.safeParse(body);
      if (!parsed.success) throw new WardenError('invalid_input', 'Expected {ids: number[], appliedAt: number[]} of equal length.');
      const receivedAt = this.ctx.clock.now();
      const maxDelivered = this.delivered.get(client.clientId) ?? 0;
      const believed = await this.deliveredElsewhere(parsed.data.ids, maxDelivered);
      let accepted = 0;
      parsed.data.ids.forEach((id, index) => {
        if (id > maxDelivered && !believed.has(id)) return;
        this.receipts.record(id, { clientId: client.clientId, appliedAt: parsed.data.appliedAt[index]!, receivedAt });
        accepted += 1;
      });
      sendJson(res, 200, { accepted }, NO_STORE);
    });
  }
}
