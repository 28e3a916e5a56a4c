/**
 * Builds `window.warden` from the shared contract. The renderer gets four functions and nothing else: no raw
 * `ipcRenderer`, no channel names, no Electron event objects. Every channel used here carries our prefix.
 */
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { isAdminMethod } from '../shared/admin-api';
import { IPC_CALL, IPC_EVENT, IPC_EXPORT_AUDIT, IPC_INFO, IPC_PREFIX, type AuditSaveResult, type BridgeInfo, type WardenBridge } from '../shared/bridge';
import type { ErrorInfo, Result } from '../shared/errors';
import type { LiveEvent } from '../shared/events';

export type BridgeIpc = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

function channel(name: string): string {
  if (!name.startsWith(IPC_PREFIX)) throw new TypeError(`Refusing IPC channel outside ${IPC_PREFIX}: ${name}`);
  return name;
}

function failure(code: ErrorInfo['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

/** The main process always answers `{ok, …}`; anything else means the transport itself broke. */
function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const ok = (value as { ok?: unknown }).ok;
  if (ok === true) return 'value' in value;
  if (ok !== false) return false;
  const error = (value as { error?: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as ErrorInfo).code === 'string' && typeof (error as ErrorInfo).message === 'string';
}

function transportFailure(error: unknown): Result<never> {
  // Structured clone refuses functions, DOM nodes and the like: that is the caller's input, not our fault.
  if (error instanceof Error && /could not be cloned/i.test(error.message)) {
    return failure('invalid_input', 'The input cannot be sent: use plain JSON values.');
  }
  return failure('internal_error', 'The admin service did not answer.');
}

export function createBridge(ipc: BridgeIpc): WardenBridge {
  const callChannel = channel(IPC_CALL);
  const infoChannel = channel(IPC_INFO);
  const eventChannel = channel(IPC_EVENT);
  const exportChannel = channel(IPC_EXPORT_AUDIT);

  return {
    async call(method: unknown, input: unknown): Promise<Result<unknown>> {
      // Checked here too, so a typo never reaches the main process (which checks again: it trusts no one).
      if (!isAdminMethod(method)) {
        return failure('unknown_method', `Unknown admin method: ${String(method).slice(0, 64)}`);
      }
      try {
        const reply: unknown = await ipc.invoke(callChannel, method, input);
        return isResult(reply) ? reply : failure('internal_error', 'The admin service sent a malformed reply.');
      } catch (error) {
        return transportFailure(error);
      }
    },

    onEvent(listener: (event: LiveEvent) => void): () => void {
      // One wrapper per subscription, so unsubscribing removes exactly this listener and no other.
      const wrapper = (_event: IpcRendererEvent, payload: unknown): void => listener(payload as LiveEvent);
      ipc.on(eventChannel, wrapper);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(eventChannel, wrapper);
      };
    },

    async info(): Promise<BridgeInfo> {
      const reply: unknown = await ipc.invoke(infoChannel);
      if (isResult(reply) && reply.ok) return reply.value as BridgeInfo;
      const message = isResult(reply) && !reply.ok ? reply.error.message : 'The admin service sent a malformed reply.';
      throw new Error(message);
    },

    async exportAudit(format, filter): Promise<Result<AuditSaveResult>> {
      try {
        const reply: unknown = await ipc.invoke(exportChannel, format, filter);
        return isResult(reply) ? (reply as Result<AuditSaveResult>) : failure('internal_error', 'The admin service sent a malformed reply.');
      } catch (error) {
        return transportFailure(error);
      }
    },
  };
}
