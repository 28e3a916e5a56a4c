/** The desktop audit export: sender check, filter checked before the dialog, streamed to <file>.partial then renamed. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { BrowserWindow as MockWindow, MockWebFrameMain, electronMock, resetElectronMock } from '../../mocks/electron';
import { createAppOrigin, setupAuditExportIpc } from '../../../src/main/ipc';
import { IPC_EXPORT_AUDIT } from '../../../src/shared/bridge';
import type { AuditEntry } from '../../../src/shared/dto';
import { parseCsv } from '../../helpers/csv';
import { createFakeEngine, type FakeEngine } from './fake-engine';

vi.mock('electron', () => import('../../mocks/electron'));

const RENDERER_INDEX = '/opt/warden/out/renderer/index.html';
const APP_URL = pathToFileURL(RENDERER_INDEX).href;

const entry = (seq: number): AuditEntry => ({ seq, at: 1_700_000_000_000 + seq, type: 'session.revoked', actor: 'admin:desktop', userId: 'u1', sessionId: `s${seq}`, reason: seq === 2 ? '=1+1' : null, data: { seq }, prevHash: 'p', hash: 'h' });

let window: MockWindow;
let engine: FakeEngine;
let dir: string;
let showSaveDialog: ReturnType<typeof vi.fn>;
let errors: unknown[];

function invoke(format: unknown, filter: unknown, frame: MockWebFrameMain | null = window.webContents.mainFrame) {
  return electronMock.ipcMain.invoke(IPC_EXPORT_AUDIT, { sender: window.webContents, senderFrame: frame }, format, filter);
}

beforeEach(() => {
  resetElectronMock();
  window = new MockWindow();
  window.webContents.navigatedTo(`${APP_URL}#/audit`);
  engine = createFakeEngine();
  // Two pages: 3 entries, then 1 (the handler is listAudit's; the export pages through it).
  vi.mocked(engine.admin.listAudit).mockImplementation(async (input: { beforeSeq?: number }) =>
    input.beforeSeq === undefined ? { items: [entry(4), entry(3), entry(2)], nextBeforeSeq: 2 } : { items: [entry(1)], nextBeforeSeq: null },
  );
  dir = mkdtempSync(join(tmpdir(), 'warden-export-ipc-'));
  showSaveDialog = vi.fn(async () => ({ canceled: false, filePath: join(dir, 'audit.csv') }));
  errors = [];
  setupAuditExportIpc(electronMock.ipcMain, { showSaveDialog } as never, () => window as unknown as BrowserWindow, engine, createAppOrigin(RENDERER_INDEX), {
    onInternalError: (error) => errors.push(error),
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('audit export IPC', () => {
  it('saves every page of the filtered audit to the chosen file as admin:desktop, and says how much', async () => {
    const reply = await invoke('csv', { types: ['session.revoked'] });
    expect(reply).toMatchObject({ ok: true, value: { saved: true, path: join(dir, 'audit.csv'), entries: 4 } });
    expect(showSaveDialog).toHaveBeenCalledWith(window, expect.objectContaining({ defaultPath: 'audit-2026-01-02T03-04-05Z.csv' }));
    expect(engine.admin.listAudit).toHaveBeenCalledWith(expect.objectContaining({ types: ['session.revoked'] }), expect.objectContaining({ actor: 'admin:desktop' }));
    const rows = parseCsv(readFileSync(join(dir, 'audit.csv'), 'utf8'));
    expect(rows.slice(1).map((r) => r[0])).toEqual(['4', '3', '2', '1']);
    expect(rows.find((r) => r[0] === '2')![7]).toBe("'=1+1");
    expect(readdirSync(dir)).toEqual(['audit.csv']);
  });

  it('does nothing when the dialog is cancelled', async () => {
    showSaveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
    expect(await invoke('jsonl', {})).toEqual({ ok: true, value: { saved: false } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a bad filter or format before asking for a file', async () => {
    expect(await invoke('xlsx', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await invoke('csv', { since: 10, until: 1 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(showSaveDialog).not.toHaveBeenCalled();
  });

  it('leaves no file under the chosen name when a later page fails', async () => {
    vi.mocked(engine.admin.listAudit).mockImplementation(async (input: { beforeSeq?: number }) => {
      if (input.beforeSeq === undefined) return { items: [entry(4), entry(3)], nextBeforeSeq: 3 };
      throw new Error('disk gone');
    });
    const reply = await invoke('csv', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'storage_error' } });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a sender other than the console main frame', async () => {
    expect(await invoke('csv', {}, new MockWebFrameMain(APP_URL))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(engine.admin.listAudit).not.toHaveBeenCalled();
  });
});
