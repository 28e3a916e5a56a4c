/**
 * The gate in front of every IPC handler: only the main frame of our one window, showing our own page, may call.
 * Subframes, other windows and foreign pages are refused (Electron's security checklist, item "validate the
 * sender of all IPC messages").
 */
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import type { AppOrigin } from './app-origin';

/** What a check needs from the event: narrowed so tests can build one without Electron. */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export function isTrustedSender(event: SenderEvent, window: BrowserWindow | null, origin: AppOrigin): boolean {
  if (!window || window.isDestroyed()) return false;
  const contents = window.webContents;
  const frame = event.senderFrame;
  if (!frame || event.sender !== contents) return false;
  if (frame !== contents.mainFrame) return false;
  return origin.isAppUrl(frame.url);
}
