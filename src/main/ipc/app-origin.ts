/**
 * Which URLs are the app's own pages. IPC handlers and the navigation guard both ask this one question, so a
 * page from anywhere else (a link, an injected frame, a redirect) can neither call the admin API nor replace
 * the console.
 */
import { pathToFileURL } from 'node:url';

export interface AppOrigin {
  /** The URL the main window loads. */
  readonly entryUrl: string;
  /** True only for the app's own renderer page (query and fragment ignored: the console may route with them). */
  isAppUrl(url: string): boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * @param rendererIndexPath absolute path of the built `out/renderer/index.html`.
 * @param devUrl the electron-vite dev server (`ELECTRON_RENDERER_URL`); only a loopback http(s) URL is accepted,
 *   and callers pass it only when the app is not packaged.
 */
export function createAppOrigin(rendererIndexPath: string, devUrl?: string): AppOrigin {
  if (devUrl) {
    const dev = parse(devUrl);
    if (!dev || (dev.protocol !== 'http:' && dev.protocol !== 'https:') || !LOOPBACK_HOSTS.has(dev.hostname)) {
      throw new TypeError('The renderer dev URL must be an http(s) URL on a loopback host.');
    }
    return {
      entryUrl: dev.href,
      isAppUrl: (url) => parse(url)?.origin === dev.origin,
    };
  }
  const entry = pathToFileURL(rendererIndexPath);
  return {
    entryUrl: entry.href,
    isAppUrl: (url) => {
      const candidate = parse(url);
      return candidate?.protocol === 'file:' && candidate.host === '' && candidate.pathname === entry.pathname;
    },
  };
}
