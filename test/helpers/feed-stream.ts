/**
 * A raw revocation-feed stream for tests (GET /events, SSE, read as it arrives): its messages, and a wait for a
 * condition that fails at once when the stream ends instead of hanging.
 */
import { expect } from 'vitest';
import { readSse, type SseMessage } from '../../packages/verifier/src/sse-reader';
import { basicAuth } from './warden';

export interface Stream {
  readonly messages: SseMessage[];
  /** Resolves once `done()` holds, checked after every message and comment. */
  waitFor(what: string, done: () => boolean): Promise<void>;
  close(): void;
}

/**
 * An SSE stream for tests (the feed, the console's GET /admin/events): `url` with `headers`, resolved once a
 * comment for which `isReady` holds has arrived; `waitFor` fails at once when the stream ends.
 */
export async function openSseStream(url: string, headers: Record<string, string>, isReady: (comment: string) => boolean): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const messages: SseMessage[] = [];
  let ready = false;
  let ended: string | undefined;
  const waiters = new Set<() => void>();
  const notify = () => [...waiters].forEach((waiter) => waiter());
  void readSse(response.body!, {
    onMessage: (message) => {
      messages.push(message);
      notify();
    },
    onComment: (comment) => {
      if (isReady(comment)) ready = true;
      notify();
    },
    onActivity: () => undefined,
  }).catch((error: unknown) => {
    ended = String(error);
  }).finally(() => {
    ended ??= 'the stream ended';
    notify();
  });
  const waitFor = (what: string, done: () => boolean) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (done()) {
        waiters.delete(check);
        resolve();
      } else if (ended !== undefined) {
        waiters.delete(check);
        reject(new Error(`${url}: ${what} never came (${ended}; ${messages.length} messages)`));
      }
    };
    waiters.add(check);
    check();
  });
  await waitFor('the ready marker', () => ready);
  return { messages, waitFor, close: () => controller.abort() };
}

/** GET /events at `baseUrl` as `client`, resolved once its replay is done (`: ready`). */
export function openFeed(baseUrl: string, client: { clientId: string; clientSecret: string }, lastEventId?: number): Promise<Stream> {
  const headers = { authorization: basicAuth(client.clientId, client.clientSecret), ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) };
  return openSseStream(`${baseUrl}/events`, headers, (comment) => comment.startsWith('ready'));
}
