/**
 * Serves the built console (the renderer) at `/` when the service runs in browser-console mode. Strict CSP,
 * no sniffing, no framing, no referrer (the console URL carries a one-time login code). Paths are resolved
 * inside the console directory only; unknown paths without a file extension get index.html (client routing).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { sendJson } from './respond';

export const CONSOLE_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'not_found', error_description: 'No such resource.' }, SECURITY_HEADERS);
}

async function isFileInside(root: string, candidate: string): Promise<boolean> {
  try {
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return false;
    return (await stat(real)).isFile();
  } catch {
    return false;
  }
}

export class StaticConsole {
  private rootPromise: Promise<string>;

  constructor(consoleDir: string) {
    // Symlinks are resolved once for the root and per file, so a link cannot lead outside.
    this.rootPromise = realpath(path.resolve(consoleDir));
  }

  endpoint() {
    return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(url.pathname);
      } catch {
        notFound(res);
        return;
      }
      let root: string;
      try {
        root = await this.rootPromise;
      } catch {
        notFound(res);
        return;
      }
      if (decoded.includes('\0') || decoded.includes('\\')) {
        notFound(res);
        return;
      }
      // path.join normalises `..` away from the root; the prefix check below is the actual guard.
      const candidate = path.join(root, decoded);
      let file: string | undefined;
      if ((candidate === root || candidate.startsWith(root + path.sep)) && (await isFileInside(root, candidate))) {
        file = candidate;
      } else if (path.extname(decoded) === '') {
        file = path.join(root, 'index.html');
      }
      if (!file) {
        notFound(res);
        return;
      }
      let content: Buffer;
      try {
        content = await readFile(file);
      } catch {
        notFound(res);
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': content.length,
      });
      res.end(req.method === 'HEAD' ? undefined : content);
    };
  }
}
