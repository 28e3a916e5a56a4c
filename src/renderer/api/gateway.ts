/**
 * The renderer's ONE door to the outside world. In Electron the preload exposes `window.warden`; in a plain
 * browser the HTTP bridge implements the same WardenBridge. Nothing else in the renderer knows which.
 */
import type { WardenBridge } from '../../shared/bridge';
import { createBrowserAuth, type AuthState, type BrowserAuth } from './browser-auth';
import { createEventStream, type EventStream, type StreamStatus } from './event-stream';
import { createHttpBridge } from './http-bridge';

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

function getGateway(): Gateway {
  if (gateway) return gateway;
  if (window.warden) {
    gateway = { bridge: window.warden, auth: null, stream: null };
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
  return auth ? auth.ready : Promise.resolve({ status: 'ready' });
}

/** Tells when the browser session is lost (token expired or rejected). Never fires in Electron. */
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

export type { AuthState, StreamStatus };
