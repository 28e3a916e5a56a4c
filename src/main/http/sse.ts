/**
 * Server-Sent Events plumbing shared by the revocation feed and the console's live events: opening a
 * stream, writing with backpressure, heartbeat comments on one shared timer, and closing every open stream
 * when the service stops (so `server.close()` is not held up by long-lived responses).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../engine/clock';
import type { Headers } from './respond';

export class SseStream {
  private isClosed = false;
  private readonly closeListeners: Array<() => void> = [];

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => this.markClosed());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Writes raw SSE text; false when the socket buffer is full (await `drained()` before writing more). */
  write(text: string): boolean {
    if (this.isClosed) return false;
    return this.res.write(text);
  }

  /** Resolves when the buffer has room again, or the stream closed. */
  drained(): Promise<void> {
    if (this.isClosed || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener();
    else this.closeListeners.push(listener);
  }

  close(): void {
    if (!this.isClosed) this.res.end();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/** Keeps the open streams, sends their heartbeats and closes them all on shutdown. */
export class SseRegistry {
  private readonly streams = new Set<SseStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly heartbeatMs: number,
  ) {}

  /** Starts an event stream on `res`. The caller has already authenticated the request. */
  open(req: IncomingMessage, res: ServerResponse, headers: Headers = {}): SseStream {
    // A stream lives as long as the client wants; only the heartbeat keeps proxies and clients honest.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    });
    res.flushHeaders();
    const stream = new SseStream(res);
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    this.ensureTimer();
    return stream;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Tells every open stream's client to reconnect after `retryMs` (SSE `retry:`), e.g. before a drain ends them. */
  announceRetry(retryMs: number): void {
    for (const stream of this.streams) stream.write(`retry: ${Math.max(0, Math.round(retryMs))}\n: the service is stopping; reconnect\n\n`);
  }

  closeAll(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const stream of [...this.streams]) stream.close();
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const line = `: hb ${this.clock.now()}\n\n`;
      for (const stream of this.streams) stream.write(line);
    }, this.heartbeatMs);
    this.timer.unref();
  }
}

/**
 * A budget of work units per event-loop turn, shared by every stream that draws on it: how long replays
 * leave the loop to other requests. `take()` spends a unit at once when the turn has one left (returning
 * undefined, so the common case costs no promise), or returns a promise settled in a later turn, waiters
 * served first come first served. The budget is renewed in the check phase (setImmediate), so the poll
 * phase, where requests are read and answered, runs between any two budgets' worth of work.
 */
export class TurnBudget {
  private spent = 0;
  private waiting: Array<() => void> = [];
  private scheduled = false;

  constructor(private readonly perTurn: number) {}

  take(): Promise<void> | undefined {
    if (this.spent < this.perTurn) {
      this.spent += 1;
      this.schedule();
      return undefined;
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.nextTurn());
  }

  private nextTurn(): void {
    this.scheduled = false;
    const granted = this.waiting.splice(0, this.perTurn);
    this.spent = granted.length;
    // A turn that starts with work spent must be renewed too, whether or not anyone waits by then.
    if (this.spent > 0 || this.waiting.length > 0) this.schedule();
    for (const resolve of granted) resolve();
  }
}
