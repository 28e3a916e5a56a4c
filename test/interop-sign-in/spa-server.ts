/**
 * Serves the oidc-client-ts single-page app (test/interop-sign-in/spa/main.js, bundled with esbuild, which
 * ships with vite) on a loopback port of its own: a different origin from the token service, as a real SPA
 * is. Every path but /main.js answers the same page, so /callback is the app handling the redirect.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';

export interface RunningSpa {
  url: string;
  close(): Promise<void>;
}

export async function listenSpa(): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startSpa(server: Server, url: string, config: { issuer: string; clientId: string }): Promise<RunningSpa> {
  const bundle = await build({
    entryPoints: [path.join(import.meta.dirname, 'spa/main.js')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>SPA</title></head><body>
<p id="status">loading</p>
<script>window.SPA_CONFIG = ${JSON.stringify(config).replace(/</g, '\\u003c')};</script>
<script type="module" src="/main.js"></script></body></html>`;
  server.on('request', (req, res) => {
    const pathname = new URL(req.url ?? '/', url).pathname;
    if (pathname === '/main.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  return {
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
