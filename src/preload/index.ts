/**
 * The sandboxed preload (built to out/preload/index.cjs): exposes the typed bridge as `window.warden` through the
 * context bridge. It imports only `electron` and src/shared; zod is bundled into the file by the build.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('warden', createBridge(ipcRenderer));
