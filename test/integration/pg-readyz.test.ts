/**
 * `/readyz` follows a real PostgreSQL (issue 17, "Must show"): the service process on a private cluster
 * (startCluster: this file may stop and start it without disturbing other files' databases) answers 200; the
 * cluster stops (immediate shutdown, as a crash or a failover looks to a client) and /readyz answers 503 with
 * `database: fail` while /healthz stays 200 and the log names the cause; the cluster starts again and /readyz
 * answers 200 again and the admin API works — the same process, never restarted (the pool reconnects).
 *
 * Probes are polled (each probe asks the database afresh; there is no event to await), every wait bounded.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describePg, destroyCluster, freshDatabase, startCluster, type PostgresCluster } from '../helpers/postgres';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process';

interface Probe {
  status: number;
  body: { checks?: Record<string, string> } | undefined;
}

async function probe(url: string): Promise<Probe> {
  const response = await fetch(url);
  const text = await response.text();
  let body: Probe['body'];
  try {
    body = JSON.parse(text) as Probe['body'];
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
}

/** Polls `url` until `accept` holds (bounded); returns the accepted probe. */
async function until(url: string, accept: (probe: Probe) => boolean, what: string, timeoutMs = 60_000): Promise<Probe> {
  const deadline = Date.now() + timeoutMs;
  let last: Probe | undefined;
  while (Date.now() < deadline) {
    last = await probe(url);
    if (accept(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; last ${JSON.stringify(last)}`);
}

describePg('/readyz on a real PostgreSQL that goes away and comes back', () => {
  let cluster: PostgresCluster;
  let root: string;
  let serve: ServeProcess | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-pg-readyz-'));
  }, 60_000);
  afterAll(async () => {
    await serve?.stop('SIGKILL');
    await rm(root, { recursive: true, force: true });
    if (cluster) await destroyCluster(cluster);
  }, 60_000);

  it('turns unready when the database stops and ready again when it returns, without a restart', async () => {
    const database = await freshDatabase(cluster.urlFor('postgres'));
    const keyFile = path.join(root, 'master.key');
    await writeFile(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const dataDir = path.join(root, 'data');
    serve = await startServeProcess(
      ['--data-dir', dataDir, '--port', '0', '--database', database, '--key-store', 'database', '--master-key-file', keyFile],
      { env: { TOKEN_WARDEN_MASTER_KEY: '', TOKEN_WARDEN_DATABASE_URL: '' }, timeoutMs: 90_000 },
    );
    const { url } = serve;
    const adminToken = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();
    const listUsers = () =>
      fetch(`${url}/admin/rpc/listUsers`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{}' });

    const up = await until(`${url}/readyz`, (p) => p.status === 200, 'ready at start');
    expect(up.body?.checks).toMatchObject({ database: 'ok', keys: 'ok', migrations: 'ok', accepting: 'ok' });

    await cluster.stop();
    const down = await until(`${url}/readyz`, (p) => p.status === 503, 'unready once the database stopped');
    expect(down.body?.checks).toMatchObject({ database: 'fail', keys: 'ok', migrations: 'ok' });
    expect((await probe(`${url}/healthz`)).status).toBe(200);
    // The operator's log says why.
    const notReady = await serve.waitForLog((event) => event.msg === 'not ready', 20_000);
    expect(JSON.stringify(notReady)).toMatch(/database/);
    // A request that needs the database is refused with a clear error, and the process keeps running.
    const refused = await listUsers();
    expect(refused.status).toBeGreaterThanOrEqual(500);
    expect(((await refused.json()) as { error?: { code?: string } }).error?.code).toBe('storage_error');

    await cluster.start();
    const back = await until(`${url}/readyz`, (p) => p.status === 200, 'ready again once the database returned');
    expect(back.body?.checks).toMatchObject({ database: 'ok' });
    const users = await listUsers();
    expect(users.status).toBe(200);
    expect(((await users.json()) as { ok: boolean }).ok).toBe(true);
    expect(serve.child.exitCode).toBe(null);
  }, 240_000);
});
