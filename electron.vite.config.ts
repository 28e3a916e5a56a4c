/**
 * Build of the desktop app: main process (ESM, native deps left external), sandboxed preload (one CommonJS
 * file, because sandboxed preloads cannot be ES modules and package.json says "type": "module"), and the
 * React renderer served from `file://` (hence the relative `base`).
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { metaContentSecurityPolicy } from './src/main/ipc/content-security-policy';

const root = import.meta.dirname;
/**
 * TW_RENDERER_DEV=1 builds the console with React's development build (its checks on: StrictMode's double
 * effects, update-depth and hook-order errors, key warnings) into out/renderer-dev, for the e2e suite's
 * development pass. Users always get the production build in out/renderer.
 */
const rendererDev = process.env.TW_RENDERER_DEV === '1';

/**
 * Writes the console's CSP into the built index.html: `file://` pages (Electron) get no response headers from
 * `webRequest`, and the browser console served by the token service benefits too. Build only: the dev server
 * needs an inline preamble, and the main process sends it a dev policy as a header instead.
 */
function cspMeta(): Plugin {
  return {
    name: 'warden-csp-meta',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: metaContentSecurityPolicy() }, injectTo: 'head-prepend' },
    ],
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // Every package.json dependency stays a runtime `import`: better-sqlite3 and @napi-rs/keyring are native
      // addons that cannot be bundled, and keeping the rest external keeps stack traces readable.
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: resolve(root, 'src/main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload may only `require('electron')`: zod (used by the shared contract) must be inlined.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [react(), cspMeta()],
    ...(rendererDev ? { mode: 'development', define: { 'process.env.NODE_ENV': JSON.stringify('development') } } : {}),
    build: {
      // TW_RENDERER_OUT: a private output folder, so that several builds in one checkout don't overwrite each other.
      outDir: process.env.TW_RENDERER_OUT ? resolve(process.env.TW_RENDERER_OUT) : resolve(root, rendererDev ? 'out/renderer-dev' : 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves the renderer unminified; minified it is 1.2 MB instead of 2.7 MB.
      minify: !rendererDev,
      // One chunk on purpose: the console loads from disk (Electron) or loopback, never over a slow network.
      chunkSizeWarningLimit: 1600,
      rolldownOptions: {
        input: { index: resolve(root, 'src/renderer/index.html') },
      },
    },
  },
});
