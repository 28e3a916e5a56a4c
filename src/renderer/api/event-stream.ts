/**
 * ONE shared reader of `GET /admin/events` (SSE over a streaming fetch, session cookie) fanned out to every
 * listener. It opens with the first listener, closes with the last, and reconnects with capped exponential
 * backoff. Views are told when a connection (re)opens so they can refetch what they missed meanwhile.
 */
import type { LiveEvent } from '../../shared/events';
import { SESSION_ENDED, type BrowserAuth } from './browser-auth';
import { parseLiveEvents } from './live-event';
import { createSseParser } from './sse';

/** `live` while the stream is open; `reconnecting` between attempts; `idle` with no listeners. */
export type StreamStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'signed_out';

export interface EventStream {
  subscribe(listener: (event: LiveEvent) => void): () => void;
  onStatus(listener: (status: StreamStatus) => void): () => void;
  status(): StreamStatus;
}

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;

export function createEventStream(auth: BrowserAuth): EventStream {
  const listeners = new Set<(event: LiveEvent) => void>();
  const statusListeners = new Set<(status: StreamStatus) => void>();
  let status: StreamStatus = 'idle';
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = FIRST_RETRY_MS;

  const setStatus = (next: StreamStatus): void => {
    if (next === status) return;
    status = next;
    statusListeners.forEach((listener) => listener(next));
  };

  const dispatch = (data: string): void => {
    for (const event of parseLiveEvents(data)) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          console.error('live event listener failed', error);
        }
      }
    }
  };

  const scheduleRetry = (): void => {
    if (listeners.size === 0) return;
    setStatus('reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  // Guards the setup of a connection (until its controller exists; from then on `controller` says one is
  // open). Each attempt releases only its own guard, so an old stream winding down after an abort cannot
  // block or unblock a newer attempt (sign out, then straight back in).
  let connecting: number | null = null;
  let attempts = 0;

  async function connect(): Promise<void> {
    if (connecting !== null) return;
    const attempt = ++attempts;
    connecting = attempt;
    const release = () => {
      if (connecting === attempt) connecting = null;
    };
    try {
      await open(release);
    } finally {
      release();
    }
  }

  async function open(release: () => void): Promise<void> {
    await auth.ready;
    if (listeners.size === 0) return;
    if (auth.csrf() === null) {
      setStatus('signed_out');
      return;
    }
    const own = new AbortController();
    controller = own;
    release();
    if (status !== 'reconnecting') setStatus('connecting');
    try {
      const response = await fetch('/admin/events', {
        headers: { Accept: 'text/event-stream' },
        credentials: 'same-origin',
        cache: 'no-store',
        signal: own.signal,
      });
      if (response.status === 401) {
        if (controller === own) controller = null;
        auth.invalidate(SESSION_ENDED);
        setStatus('signed_out');
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`events: HTTP ${response.status}`);
      retryMs = FIRST_RETRY_MS;
      setStatus('live');
      const parser = createSseParser(dispatch);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      throw new Error('events: stream ended');
    } catch {
      if (own.signal.aborted) return;
      if (controller === own) controller = null;
      scheduleRetry();
    }
  }

  const stop = (): void => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    controller?.abort();
    controller = null;
    retryMs = FIRST_RETRY_MS;
    setStatus('idle');
  };

  // Signing out ends the stream at once; signing in (here or in another tab) reopens it for its listeners.
  auth.onChange((state) => {
    if (state.status !== 'ready') {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      controller?.abort();
      controller = null;
      setStatus('signed_out');
    } else if (listeners.size > 0 && controller === null && retryTimer === undefined) {
      void connect();
    }
  });

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (controller === null && retryTimer === undefined) void connect();
      return () => {
        listeners.delete(listener);
        // React remounts (StrictMode, route changes) unsubscribe and resubscribe in one tick: wait a moment
        // before dropping the connection so it is not torn down and rebuilt for nothing.
        if (listeners.size === 0) {
          setTimeout(() => {
            if (listeners.size === 0) stop();
          }, 1_000);
        }
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    status: () => status,
  };
}
