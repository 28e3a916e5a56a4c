/**
 * The renderer's ONE door to the outside world. In Electron the preload exposes `window.warden`; in a plain
 * browser the HTTP bridge implements the same WardenBridge. Nothing else in the renderer knows which.
 */
import type { WardenBridge } from '../../shared/bridge';
import type { LiveEvent } from '../../shared/events';
import { createBrowserAuth, type AuthState, type BrowserAuth, type SignInInput, type SignInResult } from './browser-auth';
import type { ErrorInfo } from '../../shared/errors';
import { createEventStream, type EventStream, type StreamStatus } from './event-stream';
import { createHttpBridge } from './http-bridge';
import { toLiveEvent } from './live-event';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    warden?: WardenBridge;
  }
}

interface Gateway {
  bridge: WardenBridge;
  auth: BrowserAuth | null;
  stream: EventStream | null;
}

let gateway: Gateway | undefined;

/**
 * Wraps the preload's bridge so the renderer holds ONE IPC subscription however many views listen (each
 * preload subscription is an ipcRenderer listener, and dozens would trip Node's leak warning), and so every
 * event is parsed before a view sees it.
 */
function sharedEvents(bridge: WardenBridge): WardenBridge {
  const listeners = new Set<(event: LiveEvent) => void>();
  let unsubscribe: (() => void) | null = null;
  const dispatch = (payload: unknown): void => {
    const event = toLiveEvent(payload);
    if (event === null) return;
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        console.error('live event listener failed', error);
      }
    }
  };
  return {
    call: (method, input) => bridge.call(method, input),
    info: () => bridge.info(),
    onEvent(listener) {
      listeners.add(listener);
      unsubscribe ??= bridge.onEvent(dispatch);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && unsubscribe) {
          unsubscribe();
          unsubscribe = null;
        }
      };
    },
  };
}

function getGateway(): Gateway {
  if (gateway) return gateway;
  if (window.warden) {
    gateway = { bridge: sharedEvents(window.warden), auth: null, stream: null };
  } else {
    const auth = createBrowserAuth();
    const stream = createEventStream(auth);
    gateway = { bridge: createHttpBridge(auth, stream), auth, stream };
  }
  return gateway;
}

/** The bridge for this window: the Electron preload's, or the HTTP one. */
export function getBridge(): WardenBridge {
  return getGateway().bridge;
}

/** Resolves once the console may call the API (always at once in Electron). */
export function authReady(): Promise<AuthState> {
  const { auth } = getGateway();
  return auth ? auth.ready : Promise.resolve({ status: 'ready', session: null });
}

/** Browser mode: signs a named admin in (the cookie is set by the service). Electron needs no sign-in. */
export function signIn(input: SignInInput): Promise<SignInResult> {
  const { auth } = getGateway();
  return auth ? auth.signIn(input) : Promise.resolve({ ok: true });
}

/** Browser mode: ends this browser's session, or (`everywhere`) every session of the signed-in admin. */
export function signOut(everywhere: boolean): Promise<ErrorInfo | null> {
  const { auth } = getGateway();
  return auth ? auth.signOut(everywhere) : Promise.resolve(null);
}

/** Asks the service again who is signed in (after changing one's own account, say). */
export function refreshAuth(): Promise<AuthState> {
  const { auth } = getGateway();
  return auth ? auth.refresh() : Promise.resolve({ status: 'ready', session: null });
}

/** Tells when the browser session changes (signed in, out, expired, refreshed). Never fires in Electron. */
export function onAuthChange(listener: (state: AuthState) => void): () => void {
  return getGateway().auth?.onChange(listener) ?? (() => {});
}

/** The live-event connection's state; Electron's IPC is always `live`. */
export function streamStatus(): StreamStatus {
  return getGateway().stream?.status() ?? 'live';
}

export function onStreamStatus(listener: (status: StreamStatus) => void): () => void {
  return getGateway().stream?.onStatus(listener) ?? (() => {});
}

/** Calls `listener` each time the live stream comes back after a drop (views refetch what they missed). */
export function onReconnect(listener: () => void): () => void {
  let wasDown = false;
  return onStreamStatus((status) => {
    if (status === 'reconnecting') wasDown = true;
    if (status === 'live' && wasDown) {
      wasDown = false;
      listener();
    }
  });
}

export type { AuthState, SignInInput, SignInResult, StreamStatus };
