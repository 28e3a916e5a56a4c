/** The desktop window over IPC: calls, header facts and live events follow the deployment it manages. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { BrowserWindow as MockWindow, electronMock, resetElectronMock } from '../../mocks/electron';
import { DeploymentManager, ProfileStore, openCredentialVault } from '../../../src/main/deployments/index';
import { ManualClock } from '../../../src/main/engine/clock';
import { createAppOrigin, forwardDeploymentEvents, setupAdminIpc, setupAuditExportIpc } from '../../../src/main/ipc';
import { DESKTOP } from '../../../src/main/ipc/admin-ipc';
import { IPC_CALL, IPC_EVENT, IPC_EXPORT_AUDIT, IPC_INFO } from '../../../src/shared/bridge';
import { SAMPLE_INFO, createFakeEngine, sampleEvent, type FakeEngine } from '../electron/fake-engine';
import { startFakeRemote, type FakeRemote } from './remote-server';

vi.mock('electron', () => import('../../mocks/electron'));

const RENDERER_INDEX = '/opt/warden/out/renderer/index.html';
const APP_URL = pathToFileURL(RENDERER_INDEX).href;
const KEY = 'twk_' + 'b'.repeat(40);

describe('desktop IPC routed by the current deployment', () => {
  let dir: string;
  let remote: FakeRemote;
  let engine: FakeEngine;
  let window: MockWindow;
  let manager: DeploymentManager;
  const event = () => ({ sender: window.webContents, senderFrame: window.webContents.mainFrame });

  beforeEach(async () => {
    resetElectronMock();
    dir = await mkdtemp(path.join(os.tmpdir(), 'tw-desktop-ipc-'));
    remote = await startFakeRemote();
    engine = createFakeEngine();
    window = new MockWindow();
    window.webContents.navigatedTo(`${APP_URL}#/users`);
    manager = new DeploymentManager({
      profiles: new ProfileStore(path.join(dir, 'deployments.json'), new ManualClock()),
      credentials: openCredentialVault('memory', 'test'),
      local: { handlers: engine.admin, info: SAMPLE_INFO, onEvent: (listener) => engine.onEvent(listener), record: () => {} },
    });
    const origin = createAppOrigin(RENDERER_INDEX);
    const getWindow = () => window as unknown as BrowserWindow;
    setupAdminIpc(electronMock.ipcMain, getWindow, engine, SAMPLE_INFO, origin, { deployments: manager });
    setupAuditExportIpc(electronMock.ipcMain, { showSaveDialog: vi.fn() }, getWindow, engine, origin, { managesRemote: () => manager.target(DESKTOP) !== undefined });
    forwardDeploymentEvents(manager, window as unknown as BrowserWindow, origin);
  });
  afterEach(async () => {
    window.close();
    await remote.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (method: string, input: unknown) => electronMock.ipcMain.invoke(IPC_CALL, event(), method, input);

  it('switches the window to a remote: calls, info and events come from there; back again to the engine', async () => {
    engine.emit(sampleEvent(1));
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT, sampleEvent(1));

    const saved = (await call('saveDeployment', { name: 'remote', baseUrl: remote.url, apiKey: KEY })) as { ok: true; value: { id: string } };
    expect(saved.ok).toBe(true);
    const streamOpened = remote.waitFor('/admin/events');
    expect(await call('switchDeployment', { id: saved.value.id })).toMatchObject({ ok: true, value: { role: 'operator', actor: 'admin:ops' } });
    expect(await call('listUsers', {})).toEqual({ ok: true, value: { from: 'remote', method: 'listUsers' } });
    expect(await electronMock.ipcMain.invoke(IPC_INFO, event())).toMatchObject({ ok: true, value: { mode: SAMPLE_INFO.mode, issuer: 'https://remote.example' } });
    expect(await electronMock.ipcMain.invoke(IPC_EXPORT_AUDIT, event(), 'csv', {})).toMatchObject({ ok: false, error: { code: 'conflict' } });

    await streamOpened;
    window.webContents.send.mockClear();
    const delivered = new Promise<void>((resolve) => window.webContents.send.mockImplementation(() => resolve()));
    engine.emit(sampleEvent(2));
    remote.push({ type: 'user.created', seq: 9 }, 9);
    await delivered;
    // The engine's own event was not forwarded while the window manages the remote.
    expect(window.webContents.send.mock.calls).toEqual([[IPC_EVENT, { type: 'user.created', seq: 9 }]]);

    expect(await call('switchDeployment', { id: 'local' })).toMatchObject({ ok: true, value: { deployment: { id: 'local' } } });
    window.webContents.send.mockClear();
    engine.emit(sampleEvent(3));
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT, sampleEvent(3));
  });
});
