/**
 * The admin API over Electron IPC: `warden:call` dispatches one method of the shared contract, `warden:info`
 * answers the console's header facts. Both check the sender first and always resolve to a `Result` — a thrown
 * error would reach the renderer as a bare, unstable message (Electron keeps only `message`).
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC_CALL, IPC_INFO, type BridgeInfo } from '../../shared/bridge';
import type { Result } from '../../shared/errors';
import { dispatchAdmin, type ActorContext } from '../engine/dispatch';
import type { TokenEngine } from '../engine/types';
import type { DeploymentManager } from '../deployments/index';
import type { AppOrigin } from './app-origin';
import { isTrustedSender } from './sender-check';

/** Recorded as the actor of every admin action taken from the desktop console. */
export const DESKTOP_ACTOR = 'admin:desktop';
/**
 * The desktop app's caller: the OS account that runs the app owns its local engine, so there is no sign-in
 * and the role is owner. Roles are still checked by dispatchAdmin, exactly as over HTTP.
 */
export const DESKTOP: ActorContext = Object.freeze({ actor: DESKTOP_ACTOR, role: 'owner', adminId: null });

const FORBIDDEN: Result<never> = {
  ok: false,
  error: { code: 'forbidden', message: 'IPC is only accepted from the Token Warden console window.' },
};
const INTERNAL: Result<never> = { ok: false, error: { code: 'internal_error', message: 'An internal error occurred.' } };

export interface AdminIpcOptions {
  /** Where unexpected (non-WardenError) failures are reported; their detail never crosses IPC. */
  onInternalError?: (error: unknown) => void;
  /** The deployments the window manages: calls and the header facts follow its current one (docs/deployments.md). */
  deployments?: DeploymentManager;
}

/**
 * Registers the admin IPC handlers.
 * @param getWindow the console window, or null before it exists / after it closed (then every call is refused).
 * @param origin decides which page URLs count as the app's own.
 * @returns a function that removes the handlers.
 */
export function setupAdminIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  getWindow: () => BrowserWindow | null,
  engine: Pick<TokenEngine, 'admin'>,
  info: BridgeInfo,
  origin: AppOrigin,
  options: AdminIpcOptions = {},
): () => void {
  const report = options.onInternalError ?? ((error: unknown) => console.error('[warden] admin IPC failed:', error));

  const guarded =
    <A extends unknown[]>(handler: (...args: A) => Promise<Result<unknown>> | Result<unknown>) =>
    async (event: IpcMainInvokeEvent, ...args: A): Promise<Result<unknown>> => {
      try {
        if (!isTrustedSender(event, getWindow(), origin)) return FORBIDDEN;
        return await handler(...args);
      } catch (error) {
        report(error);
        return INTERNAL;
      }
    };

  ipcMain.handle(
    IPC_CALL,
    guarded((method: unknown, input: unknown) =>
      options.deployments ? options.deployments.call(method, input, DESKTOP, report) : dispatchAdmin(engine.admin, method, input, DESKTOP, report),
    ),
  );
  // A copy, so nothing the handler returns can alias state the main process keeps.
  ipcMain.handle(IPC_INFO, guarded(() => ({ ok: true, value: options.deployments?.info(DESKTOP) ?? { ...info } })));

  return () => {
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeHandler(IPC_INFO);
  };
}
