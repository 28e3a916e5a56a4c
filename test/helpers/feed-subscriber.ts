/**
 * A bare revocation-feed subscriber (GET /events, SSE; docs/feed.md) for multi-instance tests: it records every
 * event id it receives, and when its stream breaks (its instance died) it reconnects to the next of its
 * `targets` with `Last-Event-ID`, as a resource server behind a load balancer would. Unlike the kit it never
 * hides what happened: `ids` (in arrival order, duplicates kept), `connections` (which target each stream went
 * to) and `duplicates` (an id at or below one already seen) are there to assert on.
 */
import { basicAuth } from './warden';

export interface FeedSubscriber {
  /** Every revocation event id received, in arrival order. */
  readonly ids: number[];
  /** Ids that arrived at or below the highest already seen (a resume that replayed too much). */
  readonly duplicates: number[];
  /** The base URL of each stream opened, in order (the first is targets[0]). */
  readonly connections: string[];
  /** The highest id received (0 before any). */
  lastId(): number;
  /** Resolves once the current stream has sent `: ready` (its replay is done) `count` times in all. */
  ready(count?: number, timeoutMs?: number): Promise<void>;
  /** Resolves once an id ≥ `id` has arrived. */
  reached(id: number, timeoutMs?: number): Promise<void>;
  /** Errors that ended a stream (for failure messages). */
  readonly breaks: string[];
  stop(): void;
}

export interface FeedSubscriberOptions {
  /** Base URLs to try in turn; the stream starts on the first. */
  targets: string[];
  clientId: string;
  clientSecret: string;
  /** The id to resume after at the first connect (default 0: the whole log). */
  after?: number;
  /** Reconnections allowed in all (bounded; default 40). */
  maxReconnects?: number;
}

export function subscribeFeed(options: FeedSubscriberOptions): FeedSubscriber {
  const ids: number[] = [];
  const duplicates: number[] = [];
  const connections: string[] = [];
  const breaks: string[] = [];
  let last = options.after ?? 0;
  let readyCount = 0;
  let stopped = false;
  let controller = new AbortController();
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((waiter) => waiter());
  const waitUntil = (test: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`feed subscriber: ${what} not within ${timeoutMs} ms (last id ${last}, connections ${connections.join(', ')}, breaks ${breaks.join(' | ')})`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  const onBlock = (block: string) => {
    let id: number | undefined;
    for (const line of block.split('\n')) {
      // `: ready <last id>` ends the replay of a (re)connect.
      if (line === ': ready' || line.startsWith(': ready ')) {
        readyCount += 1;
      } else if (line.startsWith('id:')) id = Number(line.slice(3).trim());
    }
    if (id !== undefined) {
      if (id <= last) duplicates.push(id);
      ids.push(id);
      last = Math.max(last, id);
    }
    notify();
  };

  const stream = async (target: string) => {
    connections.push(target);
    controller = new AbortController();
    const response = await fetch(`${target}/events`, {
      headers: { authorization: basicAuth(options.clientId, options.clientSecret), accept: 'text/event-stream', 'last-event-id': String(last) },
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) throw new Error(`GET ${target}/events answered ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        onBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    throw new Error(`the stream from ${target} ended`);
  };

  void (async () => {
    const max = options.maxReconnects ?? 40;
    for (let attempt = 0; !stopped && attempt <= max; attempt++) {
      const target = options.targets[attempt % options.targets.length]!;
      try {
        await stream(target);
      } catch (error) {
        if (stopped) return;
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        breaks.push(`${target}: ${error instanceof Error ? error.message : String(error)}${cause ? ` (${cause})` : ''}`);
        notify();
        // A short pause before the next target, as a client's reconnect delay (the kit backs off too).
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  })();

  return {
    ids,
    duplicates,
    connections,
    breaks,
    lastId: () => last,
    ready: (count = 1, timeoutMs = 60_000) => waitUntil(() => readyCount >= count, `ready #${count}`, timeoutMs),
    reached: (id, timeoutMs = 60_000) => waitUntil(() => last >= id, `id ${id}`, timeoutMs),
    stop() {
      stopped = true;
      controller.abort();
    },
  };
}
