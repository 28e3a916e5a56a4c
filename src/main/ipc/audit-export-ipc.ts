/**
 * The desktop app's audit export (`warden:export-audit`): the filter is checked first (listAudit, as
 * admin:desktop), then the user picks a file in the save dialog, and the main process streams the export into
 * `<file>.partial`, waiting for the file stream to drain, and renames it into place only once it is complete:
 * a failed or interrupted export never leaves a truncated file under the chosen name.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { BrowserWindow, Dialog, IpcMain, IpcMainInvokeEvent } from 'electron';
import { auditExportFormatSchema, type AuditFilterInput } from '../../shared/audit';
import { IPC_EXPORT_AUDIT, type AuditSaveResult } from '../../shared/bridge';
import type { Result } from '../../shared/errors';
import { exportFileName, openAuditExport } from '../engine/audit-export';
import type { TokenEngine } from '../engine/types';
import { DESKTOP } from './admin-ipc';
import type { AppOrigin } from './app-origin';
import { isTrustedSender } from './sender-check';

const FORBIDDEN: Result<never> = { ok: false, error: { code: 'forbidden', message: 'IPC is only accepted from the Token Warden console window.' } };

function write(stream: WriteStream, chunk: string): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      stream.off('error', failed);
      resolve();
    };
    const failed = (error: Error) => {
      stream.off('drain', done);
      reject(error);
    };
    stream.once('drain', done);
    stream.once('error', failed);
  });
}

function finish(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export interface AuditExportIpcOptions {
  onInternalError?: (error: unknown) => void;
  /** The instant the file is named after (the desktop's clock). */
  now?: () => number;
  /** While the window manages a remote deployment the export is refused (not forwarded yet; docs/deployments.md). */
  managesRemote?: () => boolean;
}

export function setupAuditExportIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  dialog: Pick<Dialog, 'showSaveDialog'>,
  getWindow: () => BrowserWindow | null,
  engine: Pick<TokenEngine, 'admin'>,
  origin: AppOrigin,
  options: AuditExportIpcOptions = {},
): () => void {
  const report = options.onInternalError ?? ((error: unknown) => console.error('[warden] audit export failed:', error));
  const now = options.now ?? Date.now;

  async function exportAudit(format: unknown, filter: unknown): Promise<Result<AuditSaveResult>> {
    if (options.managesRemote?.()) {
      return { ok: false, error: { code: 'conflict', message: "The desktop app exports the audit of This computer only: use the remote deployment's browser console, or GET /admin/audit/export there." } };
    }
    const parsedFormat = auditExportFormatSchema.safeParse(format);
    if (!parsedFormat.success) return { ok: false, error: { code: 'invalid_input', message: 'format must be csv or jsonl.' } };
    const opened = await openAuditExport(engine.admin, DESKTOP, (filter ?? {}) as AuditFilterInput, parsedFormat.data);
    if (!opened.ok) return opened;
    const window = getWindow();
    const choice = await dialog.showSaveDialog(window as BrowserWindow, {
      title: 'Export the audit log',
      defaultPath: exportFileName(parsedFormat.data, now()),
      filters: parsedFormat.data === 'csv' ? [{ name: 'CSV', extensions: ['csv'] }] : [{ name: 'JSON Lines', extensions: ['jsonl'] }],
    });
    if (choice.canceled || !choice.filePath) return { ok: true, value: { saved: false } };
    const target = choice.filePath;
    const partial = `${target}.partial`;
    const stream = createWriteStream(partial, { flags: 'w', mode: 0o600 });
    try {
      for await (const chunk of opened.value.chunks) await write(stream, chunk);
      await finish(stream);
      await rename(partial, target);
      return { ok: true, value: { saved: true, path: target, entries: opened.value.entries, bytes: stream.bytesWritten } };
    } catch (error) {
      stream.destroy();
      await rm(partial, { force: true });
      report(error);
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { code: 'storage_error', message: `The export could not be written to ${target}: ${message}` } };
    }
  }

  ipcMain.handle(IPC_EXPORT_AUDIT, async (event: IpcMainInvokeEvent, format: unknown, filter: unknown): Promise<Result<unknown>> => {
    try {
      if (!isTrustedSender(event, getWindow(), origin)) return FORBIDDEN;
      return await exportAudit(format, filter);
    } catch (error) {
      report(error);
      return { ok: false, error: { code: 'internal_error', message: 'An internal error occurred.' } };
    }
  });
  return () => ipcMain.removeHandler(IPC_EXPORT_AUDIT);
}
