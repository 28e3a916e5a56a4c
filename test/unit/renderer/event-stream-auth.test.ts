/**
 * The console's one live-event stream and the cookie session (src/renderer/api/event-stream.ts): it sends
 * the cookie (no bearer), ends the moment the browser signs out, and opens again when it signs back in.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadRenderer } from './load-renderer';

type AuthState = { status: 'ready'; session: null } | { status: 'login_required'; reason: string; message: string };
interface FakeAuth {
  ready: Promise<AuthState>;
  csrf(): string | null;
  invalidate(message: string): void;
  onChange(listener: (state: AuthState) => void): () => void;
}
interface EventStream {
  subscribe(listener: (event: unknown) => void): () => void;
  onStatus(listener: (status: string) => void): () => void;
  status(): string;
}
const { createEventStream } = await loadRenderer<{ createEventStream(auth: FakeAuth): EventStream }>('api/event-stream.ts');

function fakeAuth() {
  let signedIn = true;
  const listeners = new Set<(state: AuthState) => void>();
  const emit = (state: AuthState) => listeners.forEach((listener) => listener(state));
  const auth: FakeAuth = {
    ready: Promise.resolve({ status: 'ready', session: null }),
    csrf: () => (signedIn ? 'csrf' : null),
    invalidate: () => {},
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    auth,
    signOut: () => {
      signedIn = false;
      emit({ status: 'login_required', reason: 'signed_out', message: '' });
    },
    signIn: () => {
      signedIn = true;
      emit({ status: 'ready', session: null });
    },
  };
}

/** A server whose event streams stay open until the client aborts them. */
function fakeEvents() {
  const opened: { init: RequestInit; aborted: () => boolean }[] = [];
  const fetch = (_path: string, init: RequestInit) => {
    const signal = init.signal!;
    opened.push({ init, aborted: () => signal.aborted });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(': live\n\n'));
        signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
      },
    });
    return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }));
  };
  return { fetch, opened };
}

afterEach(() => vi.unstubAllGlobals());

describe('the live stream and the session', () => {
  it('goes with the cookie, stops when the browser signs out and reopens when it signs in again', async () => {
    const server = fakeEvents();
    vi.stubGlobal('fetch', server.fetch);
    const session = fakeAuth();
    const stream = createEventStream(session.auth);
    stream.subscribe(() => {});
    await vi.waitFor(() => expect(stream.status()).toBe('live'));
    expect(server.opened).toHaveLength(1);
    expect(server.opened[0]!.init.credentials).toBe('same-origin');
    expect(JSON.stringify(server.opened[0]!.init.headers)).not.toMatch(/authorization/i);

    session.signOut();
    expect(stream.status()).toBe('signed_out');
    expect(server.opened[0]!.aborted()).toBe(true);

    session.signIn();
    await vi.waitFor(() => expect(stream.status()).toBe('live'));
    expect(server.opened).toHaveLength(2);
    expect(server.opened[1]!.aborted()).toBe(false);
  });
});
