/**
 * The Electron entry, booted against the mocked `electron` module and a fake Warden: one locked-down window,
 * a strict CSP, no navigation or popups, IPC wired to the engine, and an orderly shutdown.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL, IPC_EVENT } from '../../../src/shared/bridge';
import { SAMPLE_INFO, createFakeEngine, sampleEvent, type FakeEngine } from './fake-engine';

vi.mock('electron', () => import('../../mocks/electron'));

const warden = vi.hoisted(() => ({
  parseWardenArgs: vi.fn((argv: string[]) => ({ argv })),
  startWarden: vi.fn(),
}));
vi.mock('../../../src/main/app', () => warden);

type ElectronMock = typeof import('../../mocks/electron');
type MainModule = typeof import('../../../src/main/index');

interface Booted {
  electron: ElectronMock;
  main: MainModule;
  engine: FakeEngine;
  close: ReturnType<typeof vi.fn<() => Promise<void>>>;
}

/** Loads a fresh copy of the entry (it starts on import) and waits for its startup to settle. */
async function boot(prepare: (electron: ElectronMock) => void = () => {}): Promise<Booted> {
  vi.resetModules();
  const electron = await import('../../mocks/electron');
  electron.resetElectronMock();
  prepare(electron);
  const engine = createFakeEngine();
  const close = vi.fn(async () => {});
  // The window's deployments: this computer (the fake engine) until it switches; no profile is ever saved here.
  const { DeploymentManager, ProfileStore, openCredentialVault } = await import('../../../src/main/deployments/index');
  const deployments = new DeploymentManager({
    profiles: new ProfileStore('/nonexistent/deployments.json', { now: () => 0 }),
    credentials: openCredentialVault('memory', 'test'),
    local: { handlers: engine.admin, info: SAMPLE_INFO, onEvent: (listener) => engine.onEvent(listener), record: () => {} },
  });
  warden.startWarden.mockReset().mockResolvedValue({ engine, issuer: SAMPLE_INFO.issuer, info: SAMPLE_INFO, close, deployments });
  const main = await import('../../../src/main/index');
  await main.startup;
  return { electron, main, engine, close };
}

function onlyWindow(electron: ElectronMock) {
  expect(electron.BrowserWindow.instances).toHaveLength(1);
  return electron.BrowserWindow.instances[0]!;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the console window', () => {
  it('is one isolated, sandboxed window without Node, with the built CommonJS preload', async () => {
    const { electron, main } = await boot();
    const window = onlyWindow(electron);
    expect(window.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(main.PRELOAD_PATH).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect((window.options.webPreferences as { preload: string }).preload).toBe(main.PRELOAD_PATH);
  });

  it('loads the built renderer from disk', async () => {
    const { electron, main } = await boot();
    const window = onlyWindow(electron);
    expect(window.loadFile).toHaveBeenCalledWith(main.RENDERER_INDEX_PATH);
    expect(main.RENDERER_INDEX_PATH).toMatch(/[\\/]renderer[\\/]index\.html$/);
    expect(window.loadURL).not.toHaveBeenCalled();
  });

  it('loads the dev server when unpackaged and ELECTRON_RENDERER_URL is set, and ignores it when packaged', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173');
    const dev = await boot();
    expect(onlyWindow(dev.electron).loadURL).toHaveBeenCalledWith('http://localhost:5173/');

    const packaged = await boot((electron) => {
      electron.electronMock.app.isPackaged = true;
    });
    expect(onlyWindow(packaged.electron).loadURL).not.toHaveBeenCalled();
    expect(onlyWindow(packaged.electron).loadFile).toHaveBeenCalledWith(packaged.main.RENDERER_INDEX_PATH);
  });

  it('starts the Warden in electron mode with the user arguments, without the app path or Chromium switches', async () => {
    const argv = process.argv;
    process.argv = ['/usr/bin/electron', '.', '--no-sandbox', '--key-store', 'memory', '--remote-debugging-port=9222'];
    try {
      await boot();
    } finally {
      process.argv = argv;
    }
    expect(warden.parseWardenArgs).toHaveBeenLastCalledWith(['--key-store', 'memory']);
    expect(warden.startWarden).toHaveBeenCalledWith({ argv: ['--key-store', 'memory'], mode: 'electron' });
  });

  it('takes every argument after the executable when packaged', async () => {
    const { main } = await boot();
    expect(main.wardenArgs(['/opt/Token Warden/token-warden', '--demo', '--inspect=9229'], true)).toEqual(['--demo']);
    expect(main.wardenArgs(['/usr/bin/electron', '/app', '--port', '0'], false)).toEqual(['--port', '0']);
  });
});

describe('content security policy', () => {
  it('replaces any CSP header with the strict policy on every response', async () => {
    const { electron } = await boot();
    const listener = electron.electronMock.session.defaultSession.headersListener;
    expect(listener).toBeTypeOf('function');
    const callback = vi.fn();
    listener!({ url: 'file:///x/index.html', responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, callback);
    const headers = callback.mock.calls[0]![0].responseHeaders as Record<string, string[]>;
    expect(Object.keys(headers).filter((name) => name.toLowerCase() === 'content-security-policy')).toEqual(['Content-Security-Policy']);
    expect(headers['X-Other']).toEqual(['1']);
    const directives = headers['Content-Security-Policy']![0]!.split(';').map((part) => part.trim());
    expect(directives).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ]);
  });

  it('loosens scripts and connections only for the dev server', async () => {
    const { main } = await boot();
    const dev = main.contentSecurityPolicy('http://localhost:5173');
    expect(dev).toContain("script-src 'self' 'unsafe-inline'");
    expect(dev).toContain("connect-src 'self' ws://localhost:5173");
    expect(main.contentSecurityPolicy()).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('has a <meta> twin for file:// pages: the same policy minus frame-ancestors, which meta tags ignore', async () => {
    const { main } = await boot();
    const { metaContentSecurityPolicy } = await import('../../../src/main/ipc');
    const header = main.contentSecurityPolicy().split('; ');
    expect(metaContentSecurityPolicy().split('; ')).toEqual(header.filter((d) => !d.startsWith('frame-ancestors')));
    expect(header).toContain("frame-ancestors 'none'");
  });

  it('denies every permission request', async () => {
    const { electron } = await boot();
    const granted = vi.fn();
    electron.electronMock.session.defaultSession.permissionHandler!({}, 'notifications', granted);
    expect(granted).toHaveBeenCalledWith(false);
  });
});

describe('navigation', () => {
  it('blocks navigation and redirects away from the console page, but not to it', async () => {
    const { electron, main } = await boot();
    const contents = onlyWindow(electron).webContents;
    const away = electron.mockEvent({ url: 'https://evil.example/' });
    contents.emit('will-navigate', away, away.url);
    expect(away.defaultPrevented).toBe(true);

    const redirect = electron.mockEvent({ url: 'https://evil.example/r' });
    contents.emit('will-redirect', redirect, redirect.url);
    expect(redirect.defaultPrevented).toBe(true);

    const self = `file://${main.RENDERER_INDEX_PATH}`;
    const reload = electron.mockEvent({ url: self });
    contents.emit('will-navigate', reload, self);
    expect(reload.defaultPrevented).toBe(false);
  });

  it('denies window.open and webviews', async () => {
    const { electron } = await boot();
    const contents = onlyWindow(electron).webContents;
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    const attach = electron.mockEvent();
    contents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
  });
});

describe('wiring and lifecycle', () => {
  it('answers admin calls from the window through the engine, and streams events to it', async () => {
    const { electron, engine } = await boot();
    const window = onlyWindow(electron);
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    const reply = await electron.electronMock.ipcMain.invoke(IPC_CALL, event, 'listKeys', {});
    expect(reply).toEqual({ ok: true, value: { handled: 'listKeys' } });
    expect(engine.admin.listKeys).toHaveBeenCalledTimes(1);

    engine.emit(sampleEvent(7));
    expect(window.webContents.send).toHaveBeenCalledWith(IPC_EVENT, sampleEvent(7));
    window.close();
    expect(engine.listenerCount).toBe(0);
  });

  it('quits when a second instance holds the lock, without starting the Warden', async () => {
    const { electron } = await boot((e) => {
      e.electronMock.app.requestSingleInstanceLock.mockReturnValue(false);
    });
    expect(electron.electronMock.app.quit).toHaveBeenCalled();
    expect(warden.startWarden).not.toHaveBeenCalled();
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('focuses the existing window when a second instance starts', async () => {
    const { electron } = await boot();
    electron.electronMock.app.emit('second-instance');
    expect(onlyWindow(electron).focus).toHaveBeenCalled();
  });

  it('shows the startup error (naming --key-store memory) and exits when the keychain is missing', async () => {
    vi.resetModules();
    const electron = await import('../../mocks/electron');
    electron.resetElectronMock();
    // The entry's own copy of the errors module: instanceof must see the class the entry will check against.
    const { WardenError } = await import('../../../src/shared/errors');
    warden.startWarden.mockReset().mockRejectedValue(
      new WardenError('keychain_unavailable', 'No OS keychain is available … run with `--key-store memory`.'),
    );
    const main = await import('../../../src/main/index');
    await main.startup;
    const [title, message] = electron.electronMock.dialog.showErrorBox.mock.calls[0]!;
    expect(title).toMatch(/could not start/);
    expect(message).toContain('--key-store memory');
    expect(electron.electronMock.app.exit).toHaveBeenCalledWith(1);
    expect(electron.BrowserWindow.instances).toHaveLength(0);
  });

  it('does not show internal error text in the startup dialog', async () => {
    vi.resetModules();
    const electron = await import('../../mocks/electron');
    electron.resetElectronMock();
    warden.startWarden.mockReset().mockRejectedValue(new Error('EACCES /var/secret'));
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const main = await import('../../../src/main/index');
    await main.startup;
    quiet.mockRestore();
    expect(electron.electronMock.dialog.showErrorBox.mock.calls[0]![1]).not.toContain('EACCES');
    expect(electron.electronMock.app.exit).toHaveBeenCalledWith(1);
  });

  it('holds the quit until the Warden has closed, then quits', async () => {
    const { electron, close } = await boot();
    let finishClose!: () => void;
    close.mockImplementation(() => new Promise<void>((resolve) => (finishClose = resolve)));
    const app = electron.electronMock.app;

    const quitting = electron.mockEvent();
    app.emit('before-quit', quitting);
    expect(quitting.defaultPrevented).toBe(true);
    expect(close).toHaveBeenCalledTimes(1);
    expect(app.quit).not.toHaveBeenCalled();

    // A second quit request while closing is held too, and does not close twice.
    const again = electron.mockEvent();
    app.emit('before-quit', again);
    expect(again.defaultPrevented).toBe(true);

    finishClose();
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1), { timeout: 2_000 });
    expect(close).toHaveBeenCalledTimes(1);
    // The quit that follows is not held again.
    const last = electron.mockEvent();
    app.emit('before-quit', last);
    expect(last.defaultPrevented).toBe(false);
  });

  it('quits when the window is closed', async () => {
    const { electron } = await boot();
    electron.electronMock.app.emit('window-all-closed');
    expect(electron.electronMock.app.quit).toHaveBeenCalled();
  });
});
