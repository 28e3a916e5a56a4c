/**
 * A stand-in for the `electron` module (Electron's binary never runs on CI), in the manner of electron/fiddle's
 * tests/mocks/electron.ts: just enough behaviour for the shell's glue — windows, webContents events, ipcMain
 * handlers, ipcRenderer listeners, contextBridge, session hooks — with every call recorded. Use it with
 *   vi.mock('electron', () => import('../../mocks/electron'));
 * and read state through `electronMock` (reset it with `resetElectronMock()`).
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** An Electron-style event: `preventDefault()` is observable. */
export class MockEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** An event carrying Electron's detail fields, e.g. `mockEvent({ url })` for `will-navigate`. */
export function mockEvent<T extends object>(fields: T = {} as T): MockEvent & T {
  return Object.assign(new MockEvent(), fields);
}

export class MockWebFrameMain {
  constructor(public url: string) {}
}

export class MockWebContents extends EventEmitter {
  readonly mainFrame = new MockWebFrameMain('');
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  destroyed = false;
  readonly send = vi.fn<(channel: string, ...args: unknown[]) => void>();

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Test helper: the page finished loading `url`. */
  navigatedTo(url: string): void {
    this.mainFrame.url = url;
  }
}

export class BrowserWindow extends EventEmitter {
  /** Every window created since the last reset. */
  static get instances(): BrowserWindow[] {
    return electronMock.windows;
  }
  readonly webContents = new MockWebContents();
  destroyed = false;
  readonly loadFile = vi.fn(async (path: string) => this.webContents.navigatedTo(`file://${path}`));
  readonly loadURL = vi.fn(async (url: string) => this.webContents.navigatedTo(url));
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();

  constructor(public readonly options: Record<string, unknown> = {}) {
    super();
    electronMock.windows.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  /** Test helper: closes the window the way Electron reports it. */
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;

class MockIpcMain {
  readonly handlers = new Map<string, InvokeHandler>();
  handle = vi.fn((channel: string, handler: InvokeHandler) => {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  });
  removeHandler = vi.fn((channel: string) => {
    this.handlers.delete(channel);
  });
  /** Test helper: what `ipcRenderer.invoke` would get back from the main process. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}

class MockIpcRenderer extends EventEmitter {
  invoke = vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(async () => undefined);
}

class MockApp extends EventEmitter {
  isPackaged = false;
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly whenReady = vi.fn(() => Promise.resolve());
}

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string[]> },
  callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
) => void;
type PermissionHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;

class MockSession {
  headersListener: HeadersListener | undefined;
  permissionHandler: PermissionHandler | undefined;
  readonly webRequest = {
    onHeadersReceived: vi.fn((listener: HeadersListener) => {
      this.headersListener = listener;
    }),
  };
  readonly setPermissionRequestHandler = vi.fn((handler: PermissionHandler) => {
    this.permissionHandler = handler;
  });
}

function createState() {
  return {
    windows: [] as BrowserWindow[],
    app: new MockApp(),
    ipcMain: new MockIpcMain(),
    ipcRenderer: new MockIpcRenderer(),
    session: { defaultSession: new MockSession() },
    contextBridge: { exposeInMainWorld: vi.fn<(key: string, api: unknown) => void>() },
    dialog: { showErrorBox: vi.fn<(title: string, content: string) => void>() },
  };
}

type MockState = ReturnType<typeof createState>;

// One state per test file, shared by every copy of this module: `vi.resetModules()` gives the code under test a
// fresh module graph, and the test must still see what that fresh code did.
const STATE_KEY = Symbol.for('token-warden.electron-mock');
const holder = globalThis as typeof globalThis & { [STATE_KEY]?: MockState };

/** Everything the mock recorded. `resetElectronMock()` empties it in place. */
export const electronMock: MockState = (holder[STATE_KEY] ??= createState());

export function resetElectronMock(): void {
  Object.assign(electronMock, createState());
}

// The named exports are live views of the current state, as `import { app } from 'electron'` expects; methods are
// bound to the real objects, so assert on `electronMock.<thing>` rather than on these views.
function live<T extends object>(pick: () => T): T {
  return new Proxy({} as T, {
    get: (_target, key) => {
      const owner = pick();
      const value: unknown = Reflect.get(owner, key, owner);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(owner) : value;
    },
  });
}

export const app = live(() => electronMock.app);
export const ipcMain = live(() => electronMock.ipcMain);
export const ipcRenderer = live(() => electronMock.ipcRenderer);
export const session = live(() => electronMock.session);
export const contextBridge = live(() => electronMock.contextBridge);
export const dialog = live(() => electronMock.dialog);

export default { app, BrowserWindow, ipcMain, ipcRenderer, session, contextBridge, dialog };
