/**
 * The Electron entry (built to out/main/index.js): starts the Warden (engine, token service, vault) through
 * ./app, then opens ONE locked-down console window that talks to the engine only through the admin IPC.
 * Everything about token rules lives elsewhere; this file is lifecycle and window security.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import { parseWardenArgs, startWarden } from './app';
import { contentSecurityPolicy, createAppOrigin, forwardDeploymentEvents, setupAdminIpc, setupAuditExportIpc, type AppOrigin } from './ipc';
import { DESKTOP } from './ipc/admin-ipc';
import { isWardenError } from '../shared/errors';

export { contentSecurityPolicy } from './ipc';

type RunningWarden = Awaited<ReturnType<typeof startWarden>>;

const here = import.meta.dirname;
/** The sandboxed preload must be CommonJS; electron.vite.config.ts names it `.cjs`. */
export const PRELOAD_PATH = join(here, '../preload/index.cjs');
export const RENDERER_INDEX_PATH = join(here, '../renderer/index.html');

/** Adds the CSP to every response of the session (replacing any the server sent) and denies every permission. */
export function hardenSession(ses: Session, csp: string): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [csp];
    callback({ responseHeaders: headers });
  });
  // The console needs no camera, notifications, clipboard reads or anything else a page can ask for.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}

/** The window's options: an isolated, sandboxed renderer with no Node. */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1320,
    height: 860,
    minWidth: 960,
    minHeight: 600,
    title: 'Token Warden',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/** The console never leaves its own page: no navigation elsewhere, no new windows, no webviews. */
export function guardNavigation(contents: WebContents, origin: AppOrigin): void {
  contents.on('will-navigate', (event) => {
    if (!origin.isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!origin.isAppUrl(event.url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Creates the console window, guarded, and loads the app's own page. */
export function createMainWindow(origin: AppOrigin, devUrl: string | undefined): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(PRELOAD_PATH));
  guardNavigation(window.webContents, origin);
  window.once('ready-to-show', () => window.show());
  const loaded = devUrl ? window.loadURL(origin.entryUrl) : window.loadFile(RENDERER_INDEX_PATH);
  loaded.catch((error: unknown) => console.error('[warden] the console page failed to load:', error));
  return window;
}

/**
 * Chromium and Electron switches that launchers (electron-vite's NO_SANDBOX, debugging ports) put on the command
 * line next to ours: Chromium consumes them, and the Warden's strict flag parser must not see them.
 */
const CHROMIUM_SWITCHES = ['--no-sandbox', '--remote-debugging-port', '--inspect', '--inspect-brk', '--enable-logging', '--disable-gpu', '--ozone-platform'];

/** The Warden's flags: after the executable (and the app path when unpackaged), minus Chromium's switches. */
export function wardenArgs(argv: readonly string[], packaged: boolean): string[] {
  return argv.slice(packaged ? 1 : 2).filter((arg) => !CHROMIUM_SWITCHES.some((name) => arg === name || arg.startsWith(`${name}=`)));
}

async function failStartup(error: unknown): Promise<void> {
  // WardenError messages are written for people (e.g. keychain_unavailable names `--key-store memory`).
  const message = isWardenError(error) ? error.message : 'An internal error occurred; see the log for details.';
  if (!isWardenError(error)) console.error('[warden] startup failed:', error);
  dialog.showErrorBox('Token Warden could not start', message);
  // app.exit() skips before-quit: release the database and the port ourselves if the Warden got that far.
  const started = running;
  running = null;
  await started?.close().catch((closeError: unknown) => console.error('[warden] shutdown failed:', closeError));
  app.exit(1);
}

let running: RunningWarden | null = null;
let mainWindow: BrowserWindow | null = null;
let closing = false;

async function run(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // Another console already owns the data directory and the token service port.
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!running) return;
    // Hold the quit (every request of it) until the engine has flushed and the token service has stopped listening.
    event.preventDefault();
    if (closing) return;
    closing = true;
    const current = running;
    current
      .close()
      .catch((error: unknown) => console.error('[warden] shutdown failed:', error))
      .finally(() => {
        running = null;
        app.quit();
      });
  });

  await app.whenReady();
  try {
    // The dev server is trusted only for unpackaged runs: a packaged app must not be pointed elsewhere by env.
    const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL || undefined;
    const origin = createAppOrigin(RENDERER_INDEX_PATH, devUrl);
    hardenSession(session.defaultSession, contentSecurityPolicy(devUrl));
    running = await startWarden({ ...parseWardenArgs(wardenArgs(process.argv, app.isPackaged)), mode: 'electron' });
    const deployments = running.deployments;
    setupAdminIpc(ipcMain, () => mainWindow, running.engine, running.info, origin, { deployments });
    setupAuditExportIpc(ipcMain, dialog, () => mainWindow, running.engine, origin, { managesRemote: () => deployments.target(DESKTOP) !== undefined });
    const window = createMainWindow(origin, devUrl);
    mainWindow = window;
    forwardDeploymentEvents(deployments, window, origin);
    window.once('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
  } catch (error) {
    await failStartup(error);
  }
}

/** Settles once the console window is open, or startup failed (and the app is exiting). Tests await it. */
export const startup: Promise<void> = run();
