/**
 * The kit's subscription to the revocation feed. It keeps one streaming GET /events open, resumes with
 * Last-Event-ID after any break (exponential backoff with jitter), verifies every SET against the JWKS
 * before applying it, and acknowledges what it applied (batched POST /events/ack).
 *
 * Freshness: after the replay that follows a (re)connect (`: ready`), every byte received — event or
 * heartbeat — vouches for the local state for `maxSilenceMs` more. While nothing vouches (never synced,
 * or silent past the bound), `healthy()` is false and the verifier falls back to introspection.
 */
import { FEED_KEY_RETIRING, FEED_READY_COMMENT } from './feed-format.js';
import { checkFeedVersion, FeedVersionError } from './feed-version.js';
import { parseFeedSet, parseKeyRetiringSet } from './claims.js';
import { decodePayload, isKitAlg, parseJws, verifySignature, type ParsedJws } from './jws.js';
import type { CachedKey, KeySet, ServiceEndpoints } from './key-set.js';
import { readSse, type SseMessage } from './sse-reader.js';
import type { FeedState, KeyRetiring, KitClock, RevokedSubject } from './types.js';

const MAX_PENDING_ACKS = 1000;
const ACK_RETRY_MS = 1000;

export interface FeedClientOptions {
  issuer: string;
  clientId: string;
  /** The `Authorization: Basic …` value for the client. */
  authorization: string;
  clock: KitClock;
  maxSilenceMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  ackDelayMs: number;
  keys: KeySet;
  fetch: typeof fetch;
  endpoints: () => Promise<ServiceEndpoints>;
  /** Applies one verified event; returns when it applied it (ms). */
  apply: (id: number, subject: RevokedSubject) => number;
  /** Applies one verified key-retiring announcement (feed format 1.1). */
  retire: (retiring: KeyRetiring) => void;
  onState: (state: FeedState) => void;
  onError: (error: Error) => void;
  /** Called on every watchdog tick (periodic upkeep). */
  onTick: (now: number) => void;
}

class FeedIntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedIntegrityError';
  }
}

export class FeedClient {
  lastEventId = 0;
  private freshUntil = Number.NEGATIVE_INFINITY;
  private synced = false;
  private everSynced = false;
  private lastBytesAt = 0;
  private stopped = true;
  /** Bumped by every start(): a loop from before a stop() must not keep running next to a new one. */
  private generation = 0;
  private controller: AbortController | undefined;
  private wakeSleep: (() => void) | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private state: FeedState = 'stopped';
  /** Set by a FeedVersionError, cleared by the next connection whose version the kit reads. */
  private incompatible = false;
  private pendingIds: number[] = [];
  private pendingAppliedAt: number[] = [];
  private ackTimer: NodeJS.Timeout | undefined;
  private acking = false;

  constructor(private readonly options: FeedClientOptions) {}

  /** True while the local revocation state is vouched for by a synced, recently active stream. */
  healthy(now: number): boolean {
    return now <= this.freshUntil;
  }

  get currentState(): FeedState {
    return this.state;
  }

  /** Starts the subscription; resolves once the first replay is complete. */
  start(): Promise<void> {
    const ready = this.everSynced && !this.stopped ? Promise.resolve() : new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (this.stopped) {
      this.stopped = false;
      this.setState('connecting');
      const tickMs = Math.max(20, Math.min(1000, Math.floor(this.options.maxSilenceMs / 4)));
      this.watchdog = setInterval(() => this.tick(), tickMs);
      this.watchdog.unref();
      this.generation += 1;
      void this.run(this.generation);
    }
    return ready;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.freshUntil = Number.NEGATIVE_INFINITY;
    this.controller?.abort();
    this.wakeSleep?.();
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error('The verifier was stopped.'));
    this.setState('stopped');
  }

  private tick(): void {
    const now = this.options.clock.now();
    // A stream that sends nothing (not even heartbeats) is dead even if TCP says otherwise: reconnect.
    if (this.controller && now - this.lastBytesAt > this.options.maxSilenceMs) this.controller.abort();
    this.refreshState(now);
    this.options.onTick(now);
  }

  private refreshState(now = this.options.clock.now()): void {
    if (this.stopped) return;
    if (this.healthy(now)) this.setState('live');
    else if (this.incompatible) this.setState('incompatible');
    else this.setState(this.everSynced ? 'degraded' : 'connecting');
  }

  private setState(state: FeedState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(state);
  }

  private async run(generation: number): Promise<void> {
    let failures = 0;
    const current = () => !this.stopped && generation === this.generation;
    while (current()) {
      let reachedReady = false;
      let unreadable: FeedVersionError | undefined;
      try {
        const endpoints = await this.options.endpoints();
        if (!this.options.keys.loaded && current()) await this.options.keys.refresh();
        if (current()) reachedReady = await this.connect(endpoints);
      } catch (error) {
        if (error instanceof FeedVersionError) {
          // Whatever the feed said before, the kit can no longer tell what it misses: stop trusting it now.
          this.incompatible = true;
          this.freshUntil = Number.NEGATIVE_INFINITY;
          unreadable = error;
        }
        if (current() && !(error instanceof Error && error.name === 'AbortError')) {
          this.options.onError(error instanceof Error ? error : new Error(String(error)));
        }
      }
      if (!current()) break;
      this.controller = undefined;
      this.synced = false;
      this.refreshState();
      // start() says so rather than waiting for a replay that may never come; the loop goes on trying.
      if (unreadable) for (const waiter of this.readyWaiters.splice(0)) waiter.reject(unreadable);
      failures = reachedReady ? 0 : failures + 1;
      const base = Math.min(this.options.reconnectMaxMs, this.options.reconnectInitialMs * 2 ** Math.min(failures, 16));
      await this.sleep(base * (0.5 + Math.random() / 2));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = done;
    });
  }

  /** One connection, until it ends. Returns whether it completed its replay. */
  private async connect(endpoints: ServiceEndpoints): Promise<boolean> {
    const controller = new AbortController();
    this.controller = controller;
    this.lastBytesAt = this.options.clock.now();
    const response = await this.options.fetch(endpoints.feedEndpoint, {
      headers: { authorization: this.options.authorization, accept: 'text/event-stream', 'last-event-id': String(this.lastEventId) },
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`The revocation feed answered ${response.status}.`);
    }
    try {
      checkFeedVersion(response.headers, endpoints.feedVersion);
    } catch (error) {
      await response.body.cancel().catch(() => undefined);
      throw error;
    }
    this.incompatible = false;
    let ready = false;
    await readSse(response.body, {
      onActivity: () => {
        const now = this.options.clock.now();
        this.lastBytesAt = now;
        if (this.synced) this.freshUntil = now + this.options.maxSilenceMs;
      },
      onComment: (text) => {
        if (text === FEED_READY_COMMENT || text.startsWith(`${FEED_READY_COMMENT} `)) {
          ready = true;
          this.markSynced();
        }
      },
      onMessage: (message) => this.handle(message),
    });
    return ready;
  }

  private markSynced(): void {
    this.synced = true;
    this.everSynced = true;
    this.freshUntil = this.options.clock.now() + this.options.maxSilenceMs;
    this.refreshState();
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
  }

  /**
   * Verifies and applies one message, in order; synchronous unless the SET's key must be fetched. Other
   * event names are skipped: a minor version of the feed format may add messages an older kit does not use.
   */
  private handle(message: SseMessage): void | Promise<void> {
    const expected = { issuer: this.options.issuer, clientId: this.options.clientId };
    if (message.event === FEED_KEY_RETIRING) {
      return this.withVerifiedSet(message.data, 'A key-retiring announcement', (payload) => {
        const retiring = parseKeyRetiringSet(payload, expected);
        if (!retiring) throw new FeedIntegrityError('A key-retiring announcement does not match this issuer or client.');
        this.options.retire(retiring);
      });
    }
    if (message.event !== 'revocation') return;
    const id = Number(message.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw new FeedIntegrityError('A feed event has no valid id.');
    if (id <= this.lastEventId) return; // already applied (a replay overlapping what we had)
    return this.withVerifiedSet(message.data, `Feed event ${id}`, (payload) => {
      const subject = parseFeedSet(payload, { ...expected, id });
      if (!subject) throw new FeedIntegrityError(`Feed event ${id} does not match this issuer, client or id.`);
      const appliedAt = this.options.apply(id, subject);
      this.lastEventId = id;
      this.queueAck(id, appliedAt);
    });
  }

  /** Checks that `data` is a SET signed by one of the service's keys, then hands its payload to `use`. */
  private withVerifiedSet(data: string, what: string, use: (payload: Record<string, unknown>) => void): void | Promise<void> {
    const jws = parseJws(data);
    if (!jws || jws.header.typ?.toLowerCase() !== 'secevent+jwt' || !isKitAlg(jws.header.alg) || !jws.header.kid) {
      throw new FeedIntegrityError(`${what} is not a security event token.`);
    }
    const kid = jws.header.kid;
    const key = this.options.keys.get(kid);
    if (key) return this.useVerified(jws, key, what, use);
    return this.options.keys.fetchFor(kid).then((fetched) => {
      if (!fetched) throw new FeedIntegrityError(`${what} is signed with an unknown key.`);
      this.useVerified(jws, fetched, what, use);
    });
  }

  private useVerified(jws: ParsedJws, key: CachedKey, what: string, use: (payload: Record<string, unknown>) => void): void {
    if (key.alg !== jws.header.alg || !verifySignature(jws, key.alg, key.key)) throw new FeedIntegrityError(`${what} has a bad signature.`);
    const payload = decodePayload(jws);
    if (!payload) throw new FeedIntegrityError(`${what} has no JSON payload.`);
    use(payload);
  }

  private queueAck(id: number, appliedAt: number): void {
    this.pendingIds.push(id);
    this.pendingAppliedAt.push(appliedAt);
    if (this.pendingIds.length > MAX_PENDING_ACKS) {
      this.pendingIds.splice(0, this.pendingIds.length - MAX_PENDING_ACKS);
      this.pendingAppliedAt.splice(0, this.pendingAppliedAt.length - MAX_PENDING_ACKS);
    }
    this.scheduleAck(this.options.ackDelayMs);
  }

  private scheduleAck(delayMs: number): void {
    if (this.ackTimer || this.stopped) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = undefined;
      void this.flushAcks();
    }, delayMs);
    this.ackTimer.unref();
  }

  private async flushAcks(): Promise<void> {
    if (this.acking || this.pendingIds.length === 0) return;
    this.acking = true;
    const ids = this.pendingIds.splice(0, MAX_PENDING_ACKS);
    const appliedAt = this.pendingAppliedAt.splice(0, MAX_PENDING_ACKS);
    try {
      const endpoints = await this.options.endpoints();
      const response = await this.options.fetch(endpoints.feedAckEndpoint, {
        method: 'POST',
        headers: { authorization: this.options.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ ids, appliedAt }),
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel().catch(() => undefined);
      // A 4xx will not get better by retrying the same batch: report it and let it go.
      if (response.status >= 400 && response.status < 500) this.options.onError(new Error(`Acknowledgements were refused (${response.status}).`));
      else if (!response.ok) throw new Error(`Acknowledgements failed (${response.status}).`);
    } catch (error) {
      // Put them back in front; they go with the next batch.
      this.pendingIds.unshift(...ids);
      this.pendingAppliedAt.unshift(...appliedAt);
      const excess = this.pendingIds.length - MAX_PENDING_ACKS;
      if (excess > 0) {
        this.pendingIds.splice(0, excess);
        this.pendingAppliedAt.splice(0, excess);
      }
      if (!this.stopped) this.options.onError(error instanceof Error ? error : new Error(String(error)));
      this.acking = false;
      this.scheduleAck(ACK_RETRY_MS);
      return;
    }
    this.acking = false;
    if (this.pendingIds.length > 0) this.scheduleAck(this.options.ackDelayMs);
  }
}
