/**
 * The console window's live events from the deployment it manages: the engine's own while it manages this
 * computer, the remote's event stream (read by the main process with the profile's key) otherwise. Switching
 * deployment swaps the subscription; a remote stream that drops is reopened with capped backoff.
 */
import type { BrowserWindow } from 'electron';
import { IPC_EVENT } from '../../shared/bridge';
import type { DeploymentManager } from '../deployments/index';
import { DESKTOP } from './admin-ipc';
import type { AppOrigin } from './app-origin';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 15_000;

export function forwardDeploymentEvents(deployments: DeploymentManager, window: BrowserWindow, origin: AppOrigin): () => void {
  let generation = 0;
  let unsubscribe: (() => void) | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  let stopped = false;

  const send = (event: unknown): void => {
    if (window.isDestroyed()) return;
    const contents = window.webContents;
    // Audit events name users and sessions: never hand them to a page that is not ours.
    if (contents.isDestroyed() || !origin.isAppUrl(contents.getURL())) return;
    contents.send(IPC_EVENT, event);
  };

  const retry = (mine: number): void => {
    if (stopped || mine !== generation) return;
    retryTimer = setTimeout(() => void connect(), retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  async function connect(): Promise<void> {
    clearTimeout(retryTimer);
    unsubscribe?.();
    unsubscribe = undefined;
    const mine = ++generation;
    try {
      const stop = await deployments.subscribe(DESKTOP, { onEvent: (event) => send(event), onEnd: () => retry(mine) });
      // A switch while this one was opening: it is already stale.
      if (stopped || mine !== generation) stop();
      else {
        unsubscribe = stop;
        retryMs = FIRST_RETRY_MS;
      }
    } catch {
      retry(mine);
    }
  }

  const key = deployments.callerKey(DESKTOP);
  const stopSwitch = deployments.onSwitch((switched) => {
    if (switched === key) void connect();
  });
  void connect();
  const stop = (): void => {
    stopped = true;
    stopSwitch();
    clearTimeout(retryTimer);
    unsubscribe?.();
    unsubscribe = undefined;
  };
  window.once('closed', stop);
  return stop;
}
