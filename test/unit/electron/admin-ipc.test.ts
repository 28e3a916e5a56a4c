import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BrowserWindow } from 'electron';
import { BrowserWindow as MockWindow, MockWebFrameMain, electronMock, resetElectronMock } from '../../mocks/electron';
import { createAppOrigin, forwardEngineEvents, setupAdminIpc, DESKTOP_ACTOR, type AppOrigin } from '../../../src/main/ipc';
import { IPC_CALL, IPC_EVENT, IPC_INFO } from '../../../src/shared/bridge';
import { WardenError } from '../../../src/shared/errors';
import { SAMPLE_INFO, calledHandlers, createFakeEngine, sampleEvent, type FakeEngine } from './fake-engine';

vi.mock('electron', () => import('../../mocks/electron'));

const RENDERER_INDEX = '/opt/warden/out/renderer/index.html';
const APP_URL = pathToFileURL(RENDERER_INDEX).href;

let window: MockWindow | null;
let engine: FakeEngine;
let origin: AppOrigin;
let internalErrors: unknown[];

function asWindow(win: MockWindow | null): BrowserWindow | null {
  return win as unknown as BrowserWindow | null;
}

/** An invoke event as Electron builds it for a message from `frame` of `win`. */
function eventFrom(win: MockWindow, frame: MockWebFrameMain | null = win.webContents.mainFrame) {
  return { sender: win.webContents, senderFrame: frame };
}

function call(event: unknown, method: unknown, input?: unknown) {
  return electronMock.ipcMain.invoke(IPC_CALL, event, method, input);
}

beforeEach(() => {
  resetElectronMock();
  window = new MockWindow();
  window.webContents.navigatedTo(`${APP_URL}#/sessions`);
  engine = createFakeEngine();
  origin = createAppOrigin(RENDERER_INDEX);
  internalErrors = [];
  setupAdminIpc(electronMock.ipcMain, () => asWindow(window), engine, SAMPLE_INFO, origin, {
    onInternalError: (error) => internalErrors.push(error),
  });
});

describe('admin IPC: sender checks', () => {
  it('dispatches a valid call from the console main frame, as admin:desktop', async () => {
    const reply = await call(eventFrom(window!), 'revokeSession', { sessionId: 's1', reason: 'lost phone' });
    expect(reply).toEqual({ ok: true, value: { handled: 'revokeSession' } });
    expect(engine.admin.revokeSession).toHaveBeenCalledWith({ sessionId: 's1', reason: 'lost phone' }, { actor: DESKTOP_ACTOR, role: 'owner', adminId: null });
    expect(DESKTOP_ACTOR).toBe('admin:desktop');
  });

  it('refuses a subframe of the console window, even one showing our URL', async () => {
    const subframe = new MockWebFrameMain(APP_URL);
    const reply = await call(eventFrom(window!, subframe), 'forceLogout', { userId: 'u1' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calledHandlers(engine)).toEqual([]);
  });

  it('refuses the main frame once it shows a foreign page', async () => {
    window!.webContents.navigatedTo('https://evil.example/index.html');
    const reply = await call(eventFrom(window!), 'forceLogout', { userId: 'u1' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calledHandlers(engine)).toEqual([]);
  });

  it('refuses another local file, which is not the console page', async () => {
    window!.webContents.navigatedTo(pathToFileURL('/tmp/evil/index.html').href);
    const reply = await call(eventFrom(window!), 'listUsers', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calledHandlers(engine)).toEqual([]);
  });

  it('refuses another window, a missing frame, and any call once the console window is gone', async () => {
    const other = new MockWindow();
    other.webContents.navigatedTo(APP_URL);
    expect(await call(eventFrom(other), 'listUsers', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(eventFrom(window!, null), 'listUsers', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const closed = window!;
    closed.close();
    expect(await call(eventFrom(closed), 'listUsers', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    window = null;
    expect(await call(eventFrom(closed), 'listUsers', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calledHandlers(engine)).toEqual([]);
  });

  it('checks the sender for info too', async () => {
    expect(await electronMock.ipcMain.invoke(IPC_INFO, eventFrom(window!))).toEqual({ ok: true, value: SAMPLE_INFO });
    const subframe = new MockWebFrameMain(APP_URL);
    expect(await electronMock.ipcMain.invoke(IPC_INFO, eventFrom(window!, subframe))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
  });
});

describe('admin IPC: malformed calls and failures', () => {
  it.each([['noSuchMethod'], ['__proto__'], ['toString'], [42], [null], [{ method: 'listUsers' }]])(
    'answers unknown_method for %j without calling the engine',
    async (method) => {
      const reply = await call(eventFrom(window!), method, {});
      expect(reply).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
      expect(calledHandlers(engine)).toEqual([]);
    },
  );

  it.each([
    ['revokeSession', { sessionId: '' }],
    ['revokeSession', { sessionId: 's1', extra: true }],
    ['createUser', { username: 'ana', password: 'short' }],
    ['listUsers', 'not an object'],
  ])('answers invalid_input for %s %j without calling the engine', async (method, input) => {
    const reply = await call(eventFrom(window!), method, input);
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(calledHandlers(engine)).toEqual([]);
  });

  it('passes a WardenError through as its code and message', async () => {
    vi.mocked(engine.admin.getUser).mockRejectedValueOnce(new WardenError('not_found', 'No such user.'));
    const reply = await call(eventFrom(window!), 'getUser', { userId: 'nobody' });
    expect(reply).toEqual({ ok: false, error: { code: 'not_found', message: 'No such user.' } });
    expect(internalErrors).toEqual([]);
  });

  it('turns an unexpected exception into internal_error without leaking its text', async () => {
    vi.mocked(engine.admin.getStats).mockRejectedValueOnce(new Error('SQLITE_CORRUPT at /secret/path'));
    const reply = await call(eventFrom(window!), 'getStats', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    expect(JSON.stringify(reply)).not.toContain('SQLITE');
    expect(internalErrors).toHaveLength(1);
  });

  it('never rejects, even when the window lookup itself throws', async () => {
    resetElectronMock();
    setupAdminIpc(
      electronMock.ipcMain,
      () => {
        throw new Error('boom');
      },
      engine,
      SAMPLE_INFO,
      origin,
      { onInternalError: (error) => internalErrors.push(error) },
    );
    await expect(call({}, 'listUsers', {})).resolves.toMatchObject({ ok: false, error: { code: 'internal_error' } });
  });

  it('removes its handlers when disposed', () => {
    resetElectronMock();
    const dispose = setupAdminIpc(electronMock.ipcMain, () => null, engine, SAMPLE_INFO, origin);
    expect([...electronMock.ipcMain.handlers.keys()].sort()).toEqual([IPC_CALL, IPC_INFO].sort());
    dispose();
    expect(electronMock.ipcMain.handlers.size).toBe(0);
  });
});

describe('live events', () => {
  it('forwards engine events to the console until the window closes', () => {
    const win = window!;
    forwardEngineEvents(engine, asWindow(win)!, origin);
    engine.emit(sampleEvent(1));
    expect(win.webContents.send).toHaveBeenCalledWith(IPC_EVENT, sampleEvent(1));
    win.close();
    expect(engine.listenerCount).toBe(0);
    engine.emit(sampleEvent(2));
    expect(win.webContents.send).toHaveBeenCalledTimes(1);
  });

  it('does not send events to a foreign page', () => {
    const win = window!;
    forwardEngineEvents(engine, asWindow(win)!, origin);
    win.webContents.navigatedTo('https://evil.example/');
    engine.emit(sampleEvent(1));
    expect(win.webContents.send).not.toHaveBeenCalled();
  });

  it('can be stopped early, idempotently', () => {
    const stop = forwardEngineEvents(engine, asWindow(window)!, origin);
    stop();
    stop();
    expect(engine.listenerCount).toBe(0);
  });
});

describe('app origin', () => {
  it('accepts the built console page with any fragment or query, and nothing else on file://', () => {
    expect(origin.entryUrl).toBe(APP_URL);
    expect(origin.isAppUrl(`${APP_URL}?x=1#/keys`)).toBe(true);
    expect(origin.isAppUrl(pathToFileURL('/opt/warden/out/renderer/other.html').href)).toBe(false);
    expect(origin.isAppUrl('file://evil-host/opt/warden/out/renderer/index.html')).toBe(false);
    expect(origin.isAppUrl('not a url')).toBe(false);
  });

  it('accepts only the dev server origin in development, and only a loopback one', () => {
    const dev = createAppOrigin(RENDERER_INDEX, 'http://localhost:5173');
    expect(dev.isAppUrl('http://localhost:5173/#/users')).toBe(true);
    expect(dev.isAppUrl('http://localhost:5174/')).toBe(false);
    expect(dev.isAppUrl(APP_URL)).toBe(false);
    expect(() => createAppOrigin(RENDERER_INDEX, 'https://example.com')).toThrow(TypeError);
  });
});
