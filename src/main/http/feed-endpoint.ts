/**
 * The revocation feed: GET /events streams every revocation to confidential clients as signed SETs, and
 * POST /events/ack takes their receipts.
 *
 * Ordering without gaps or duplicates: a connection remembers the last id it sent and, whenever it is woken
 * (on connect, and by the engine for every committed revocation), sends whatever the revocation log holds
 * after that id, in id order. The log is the single source, so there is no separate "replay" and "live"
 * path to hand off between: an event committed during the replay is simply picked up by the next read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { WardenError } from '../../shared/errors';
import { readJson } from './body';
import { requireConfidentialClient } from './client-auth';
import { FEED_READY_COMMENT } from '../../shared/feed';
import type { ServiceContext } from './context';
import type { FeedReceipts } from './feed-receipts';
import { feedMessage, revocationSetClaims } from './feed-set';
import { oauthEndpoint } from './oauth-endpoint';
import { HttpError, NO_STORE, sendJson } from './respond';
import type { SseRegistry, SseStream } from './sse';

const BATCH = 500;

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

class FeedConnection {
  private pumping = false;
  private again = false;

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
        for (;;) {
          const rows = this.feed.ctx.engine.revocationsAfter(this.lastSent, BATCH);
          for (const row of rows) {
            if (row.id <= this.lastSent || this.stream.closed) continue;
            const claims = revocationSetClaims(row, this.feed.ctx.engine.issuer, this.clientId, this.feed.ctx.clock.now());
            const set = this.feed.ctx.engine.signSecurityEvent(claims as unknown as Record<string, unknown>);
            this.stream.write(feedMessage(row.id, set));
            this.lastSent = row.id;
          }
          this.feed.noteDelivered(this.clientId, this.lastSent);
          if (this.stream.closed) return;
          await this.stream.drained();
          if (rows.length < BATCH) break;
        }
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
  private readonly unsubscribe: () => void;

  constructor(
    readonly ctx: ServiceContext,
    private readonly sse: SseRegistry,
    readonly receipts: FeedReceipts,
  ) {
    this.unsubscribe = ctx.engine.onRevocation(() => {
      for (const connection of this.connections) connection.wake();
    });
  }

  /** Connected resource servers, for the console. */
  subscribers(): FeedSubscriber[] {
    return [...this.connections].map((c) => ({ clientId: c.clientId, connectedAt: c.connectedAt, lastEventId: c.lastSent }));
  }

  noteDelivered(clientId: string, id: number): void {
    if ((this.delivered.get(clientId) ?? 0) < id) this.delivered.set(clientId, id);
  }

  close(): void {
    this.unsubscribe();
    for (const connection of this.connections) connection.stream.close();
    this.connections.clear();
  }

  /** GET /events */
  streamEndpoint() {
    return oauthEndpoint(this.ctx, 'GET /events', async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      const client = requireConfidentialClient(this.ctx.engine, req);
      const lastEventId = parseLastEventId(req, url);
      const stream = this.sse.open(req, res);
      // Ask EventSource-style clients to reconnect quickly; the kit has its own backoff.
      stream.write('retry: 1000\n\n');
      const connection = new FeedConnection(this, client.clientId, stream, lastEventId, this.ctx.clock.now());
      this.connections.add(connection);
      stream.onClose(() => this.connections.delete(connection));
      await connection.pump();
      stream.write(`: ${FEED_READY_COMMENT} ${connection.lastSent}\n\n`);
      // Anything committed while the replay was finishing is sent now.
      connection.wake();
    });
  }

  /** POST /events/ack {ids, appliedAt}: receipts from the kit, batched. */
  ackEndpoint() {
    return oauthEndpoint(this.ctx, 'POST /events/ack', async (req: IncomingMessage, res: ServerResponse) => {
      const body = await readJson(req);
      const client = requireConfidentialClient(this.ctx.engine, req);
      const parsed = ackSchema.safeParse(body);
      if (!parsed.success) throw new WardenError('invalid_input', 'Expected {ids: number[], appliedAt: number[]} of equal length.');
      const receivedAt = this.ctx.clock.now();
      const maxDelivered = this.delivered.get(client.clientId) ?? 0;
      let accepted = 0;
      parsed.data.ids.forEach((id, index) => {
        if (id > maxDelivered) return;
        this.receipts.record(id, { clientId: client.clientId, appliedAt: parsed.data.appliedAt[index]!, receivedAt });
        accepted += 1;
      });
      sendJson(res, 200, { accepted }, NO_STORE);
    });
  }
}
