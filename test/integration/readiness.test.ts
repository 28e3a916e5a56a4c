/**
 * /readyz follows the database without a restart: through the server's real request listener (the front door)
 * over a real SQLite store wrapped so that its `ping()` fails on demand (the asynchronous store contract's
 * readiness probe; the PostgreSQL version with a stopped cluster comes with the PG store's wiring). Also: a
 * probe that never answers is bounded, the store not yet open and the keys not yet loaded are reported,
 * and storeReachable uses the plain read on a store without ping().
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontDoor } from '../../src/main/ops/front-door';
import { ServiceMetrics } from '../../src/main/ops/metrics';
import { checkReadiness, storeReachable } from '../../src/main/ops/readiness';
import { openStore, type Store } from '../../src/main/store/index';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'warden-readyz-'));
  store = openStore(path.join(dir, 'warden.db'));
});
afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The store with a ping() that answers or fails as `database.up` says, and counts its calls. */
function flakyStore(base: Store) {
  const database = { up: true, pings: 0 };
  const wrapped = new Proxy(base, {
    get(target, property, receiver) {
      if (property === 'ping') {
        return async () => {
          database.pings += 1;
          if (!database.up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          await storeReachable(target);
        };
      }
      const member = Reflect.get(target, property, receiver) as unknown;
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(target) : member;
    },
  });
  return { store: wrapped, database };
}

async function listen(door: FrontDoor): Promise<{ server: Server; url: string }> {
  const server = createServer(door.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function readyz(url: string): Promise<{ status: number; body: { status: string; checks: Record<string, string> }; cache: string | null }> {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> }, cache: response.headers.get('cache-control') };
}

describe('/readyz', () => {
  it('goes unready when the database stops answering and ready again when it answers, every probe asking afresh', async () => {
    const { store: wrapped, database } = flakyStore(store);
    const door = new FrontDoor({ metrics: new ServiceMetrics(), readiness: { store: () => wrapped, keysLoaded: () => true } });
    const { server, url } = await listen(door);
    try {
      expect(await readyz(url)).toEqual({ status: 200, body: { status: 'ready', checks: { migrations: 'ok', keys: 'ok', database: 'ok', accepting: 'ok' } }, cache: 'no-store' });
      database.up = false;
      expect(await readyz(url)).toEqual({ status: 503, body: { status: 'unready', checks: { migrations: 'ok', keys: 'ok', database: 'fail', accepting: 'ok' } }, cache: 'no-store' });
      expect((await readyz(url)).status).toBe(503);
      // The process is alive all along.
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      database.up = true;
      expect((await readyz(url)).status).toBe(200);
      // Nothing cached: each of the four probes reached the database.
      expect(database.pings).toBe(4);
    } finally {
      server.close();
    }
  });

  it('reports a store not open yet, keys not loaded yet, and a drain (which refuses other requests)', async () => {
    let open: Store | undefined;
    let keys = false;
    const door = new FrontDoor({ metrics: new ServiceMetrics(), readiness: { store: () => open, keysLoaded: () => keys } });
    const { server, url } = await listen(door);
    try {
      expect((await readyz(url)).body.checks).toEqual({ migrations: 'fail', keys: 'fail', database: 'fail', accepting: 'ok' });
      // While starting, everything but the probes is refused with 503.
      expect((await fetch(`${url}/oauth/token`, { method: 'POST' })).status).toBe(503);
      open = store;
      keys = true;
      expect((await readyz(url)).status).toBe(200);
      door.startDrain();
      expect((await readyz(url)).body).toEqual({ status: 'unready', checks: { migrations: 'ok', keys: 'ok', database: 'ok', accepting: 'fail' } });
      // A request that still reaches a draining instance (on a kept-alive connection) is sent elsewhere.
      const refused = await fetch(`${url}/oauth/token`, { method: 'POST' });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('connection')).toBe('close');
      expect(refused.headers.get('retry-after')).toBe('1');
    } finally {
      server.close();
    }
  });

  it('bounds a probe that never answers', async () => {
    const hanging = new Proxy(store, { get: (target, property) => (property === 'ping' ? () => new Promise(() => undefined) : Reflect.get(target, property)) });
    const readiness = await checkReadiness({ store: () => hanging, keysLoaded: () => true, draining: () => false }, 50);
    expect(readiness.ready).toBe(false);
    expect(readiness.causes.database).toBe('no answer within 50 ms');
  });

  it('a store is probed with ping(), and a failing ping is a failed check', async () => {
    await expect(storeReachable(store)).resolves.toBeUndefined();
    const broken = new Proxy(store, {
      get: (target, property) =>
        property === 'ping'
          ? () => {
              throw new Error('SQLITE_IOERR');
            }
          : Reflect.get(target, property),
    });
    const readiness = await checkReadiness({ store: () => broken, keysLoaded: () => true, draining: () => false });
    expect(readiness.checks.database).toBe('fail');
    expect(readiness.causes.database).toBe('SQLITE_IOERR');
  });
});
