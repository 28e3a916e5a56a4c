/**
 * A fetch for the kit that the test can interfere with, like a flaky network would: kill open feed streams,
 * and cut the feed (or everything) off until healed. Requests otherwise go to the real service.
 */
export interface ControlledFetch {
  fetch: typeof fetch;
  /** Aborts every open feed stream (the kit sees the connection drop). */
  killStreams(): void;
  /** While cut, matching requests fail as if the network were down. */
  cut(what: 'feed' | 'all' | 'none'): void;
  /** The Last-Event-ID header of every feed request, in order. */
  readonly feedRequests: Array<string | null>;
}

export function controlledFetch(): ControlledFetch {
  let cut: 'feed' | 'all' | 'none' = 'none';
  const streams = new Set<AbortController>();
  const feedRequests: Array<string | null> = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const isFeed = url.pathname === '/events';
    if (cut === 'all' || (cut === 'feed' && isFeed)) throw new TypeError('fetch failed (network cut by the test)');
    if (!isFeed) return fetch(input, init);
    feedRequests.push(new Headers(init?.headers).get('last-event-id'));
    const kill = new AbortController();
    streams.add(kill);
    const signal = init?.signal ? AbortSignal.any([init.signal, kill.signal]) : kill.signal;
    return fetch(input, { ...init, signal });
  };
  return {
    fetch: wrapped,
    killStreams() {
      for (const stream of streams) stream.abort();
      streams.clear();
    },
    cut(what) {
      cut = what;
    },
    feedRequests,
  };
}
