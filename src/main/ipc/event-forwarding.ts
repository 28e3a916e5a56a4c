/**
 * Streams the engine's live events to the console window over `warden:event`, for as long as the window lives.
 */
import type { BrowserWindow } from 'electron';
import { IPC_EVENT } from '../../shared/bridge';
import type { TokenEngine } from '../engine/types';
import type { AppOrigin } from './app-origin';

/**
 * Subscribes the window to engine events; unsubscribes by itself when the window closes.
 * @returns the unsubscribe function (idempotent), for callers that stop earlier.
 */
export function forwardEngineEvents(engine: Pick<TokenEngine, 'onEvent'>, window: BrowserWindow, origin: AppOrigin): () => void {
  let unsubscribe: (() => void) | undefined = engine.onEvent((event) => {
    if (window.isDestroyed()) return;
    const contents = window.webContents;
    // Audit events name users and sessions: never hand them to a page that is not ours.
    if (contents.isDestroyed() || !origin.isAppUrl(contents.getURL())) return;
    contents.send(IPC_EVENT, event);
  });
  const stop = (): void => {
    unsubscribe?.();
    unsubscribe = undefined;
  };
  window.once('closed', stop);
  return stop;
}
