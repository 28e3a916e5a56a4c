/**
 * The Python example and the feed format's version (docs/feed-recipe.md, section 8): it refuses to start
 * against metadata announcing a major it cannot read, and it never goes live on a stream whose
 * Token-Warden-Feed-Version header names one — whatever the stream then says, every token is refused.
 * A stand-in service on 127.0.0.1 plays the metadata, the JWKS and the feed.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { call, pythonMissing, startPythonApi, until, type PythonApi } from '../helpers/python-example';

const missing = pythonMissing();
if (missing) console.warn(`python-feed-version skipped: ${missing}`);

const CLIENT = { clientId: 'orders-api', clientSecret: 'not-a-real-secret' };

interface StandIn {
  issuer: string;
  feedRequests: number;
  close(): Promise<void>;
}

/** Metadata announcing `metadataVersion`; a feed answering with `streamVersion` in its header, then `: ready 0`. */
async function standIn(metadataVersion: string, streamVersion: string): Promise<StandIn> {
  let issuer = '';
  const state = { feedRequests: 0 };
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ issuer, jwks_uri: `${issuer}/oauth/jwks`, revocation_feed_endpoint: `${issuer}/events`, revocation_feed_ack_endpoint: `${issuer}/events/ack`, revocation_feed_version: metadataVersion }),
      );
    } else if (req.url === '/oauth/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
    } else if (req.url === '/events') {
      state.feedRequests += 1;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'token-warden-feed-version': streamVersion });
      res.write('retry: 1000\n\n: ready 0\n\n');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    get feedRequests() {
      return state.feedRequests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(missing !== undefined)('the Python feed example and the feed format version', () => {
  it('refuses to start when the metadata announces a major it cannot read, naming both versions', async () => {
    const service = await standIn('2.0', '2.0');
    cleanups.push(() => service.close());
    await expect(startPythonApi(service.issuer, CLIENT, 2)).rejects.toThrow('the service writes feed format 2.0; this code reads format 1.x only');
    expect(service.feedRequests).toBe(0);
  });

  it('starts on a minor it has not seen (1.7), but never goes live on a stream of another major', async () => {
    const service = await standIn('1.7', '2.0');
    cleanups.push(() => service.close());
    const api: PythonApi = await startPythonApi(service.issuer, CLIENT, 2);
    cleanups.push(() => api.child.kill('SIGTERM'));
    await until(() => api.stderr, (lines) => lines.some((line) => line.includes('feed format 2.0')), 'the stream is refused for its version');
    expect(service.feedRequests).toBeGreaterThan(0);
    expect((await call(api, '/health')).body).toMatchObject({ feed: 'down', last_event_id: 0 });
  });
});
