/**
 * Several in-process Token Warden instances (startWarden, each with its own PgStore: pool, listening connection,
 * engine, HTTP server) on one fresh PostgreSQL database, set up as one deployment: `--key-store database` with one
 * master key and one admin-token file. For cluster tests that need an instance's engine at hand (a shared test
 * clock, a direct maintain() call); test/helpers/cluster.ts runs real processes instead.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WardenOptions } from '../../src/main/app';
import type { AdminInput, AdminMethod, AdminOutput } from '../../src/shared/admin-api';
import { SecretText } from '../../src/main/keys/master-key';
import { freePort } from './cluster';
import { freshDatabase } from './postgres';
import { formBody, PASSWORD_GRANT, startTestWarden, type TestUser, type TestWarden } from './warden';

/** One instance: its engine and store at hand, and requests to ITS own address (not the shared issuer's). */
export interface PgInstance {
  readonly t: TestWarden;
  readonly url: string;
  admin<M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>>;
  postForm(pathname: string, params: Record<string, string>): Promise<Response>;
  createUser(): Promise<TestUser>;
  createPublicClient(): Promise<string>;
}

let counter = 0;

function instanceOf(t: TestWarden): PgInstance {
  const url = t.warden.url;
  const admin = async <M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>> => {
    const response = await fetch(`${url}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    if (!body.ok) throw Object.assign(new Error(`${method}: ${body.error?.code}: ${body.error?.message}`), { code: body.error?.code });
    return body.value as AdminOutput<M>;
  };
  return {
    t,
    url,
    admin,
    postForm: (pathname, params) => fetch(`${url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(params) }),
    async createUser() {
      const username = `user-${process.pid}-${(counter += 1)}`;
      const { id } = await admin('createUser', { username, password: 'correct horse battery' });
      return { id, username, password: 'correct horse battery' };
    },
    async createPublicClient() {
      const clientId = `app-${process.pid}-${(counter += 1)}`;
      await admin('createClient', { clientId, kind: 'public', name: `Test app ${clientId}`, ...PASSWORD_GRANT });
      return clientId;
    },
  };
}

export interface PgInstances {
  readonly instances: PgInstance[];
  readonly database: string;
  close(): Promise<void>;
}

/** `options` for every instance; `each(i)` adds instance i's own; `together` starts them all at once. */
export async function startPgInstances(count: number, options: Partial<WardenOptions> = {}, each: (i: number) => Partial<WardenOptions> = () => ({}), together = false): Promise<PgInstances> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'warden-pg-instances-'));
  const database = await freshDatabase();
  const masterKeyFile = path.join(root, 'master.key');
  await writeFile(masterKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const instances: PgInstance[] = [];
  const close = async () => {
    for (const instance of instances.splice(0)) await instance.t.close();
    await rm(root, { recursive: true, force: true });
  };
  const tokenFile = path.join(root, 'instance-0', 'admin-token');
  // One issuer for the deployment (as behind a load balancer): instance 0's address; each listens on its own port.
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const issuer = `http://127.0.0.1:${ports[0]}`;
  const start = async (i: number) => {
    const dataDir = path.join(root, `instance-${i}`);
    // One admin token for the deployment (--admin-token-file); the helper reads it where each instance's dir has it.
    if (i > 0) {
      await mkdir(dataDir, { mode: 0o700 });
      await symlink(tokenFile, path.join(dataDir, 'admin-token'));
    }
    return instanceOf(await startTestWarden({
      dataDir,
      port: ports[i]!,
      issuer,
      database: new SecretText(database),
      keyStore: 'database',
      masterKeyFile,
      adminTokenFile: tokenFile,
      keepDir: true,
      warn: () => {},
      ...options,
      ...each(i),
    }));
  };
  try {
    // The first creates the schema, the keys and the admin token; the others find them (`together`: all at once).
    const startAll = async (from: number) => {
      // Every start settles before a failure is reported: none is still writing when the directories go.
      const results = await Promise.allSettled(Array.from({ length: count - from }, (_, k) => start(k + from)));
      for (const result of results) if (result.status === 'fulfilled') instances.push(result.value);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    };
    if (together) await startAll(0);
    else {
      instances.push(await start(0));
      await startAll(1);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { instances, database, close };
}

/** Polls `probe` until it returns true, failing past `deadlineMs` with `what` (no fixed sleeps in the assertion). */
export async function eventually(what: string, probe: () => Promise<boolean> | boolean, deadlineMs = 1_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return;
    if (performance.now() - started > deadlineMs) throw new Error(`not within ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
