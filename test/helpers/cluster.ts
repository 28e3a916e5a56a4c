/**
 * Several real Token Warden service processes on one PostgreSQL database, acting as one deployment: what
 * compose.yaml runs, without containers. Each instance is the headless service (`src/main/headless.ts`, as
 * `npm run serve` runs it; ./serve-process) on its own loopback port and data directory; all share the
 * database (`--database`), one `--admin-token-file`, `--key-store database` with one master key (docs/keys.md)
 * and one `--issuer`: the URL of a small loopback TCP balancer in front of them (`cluster.url`), which hands each
 * new connection to the next live instance in turn, so a client of the deployment (a verifier kit on the feed)
 * reconnects to another instance when its own dies, as behind a real load balancer.
 *
 * Instance 0 starts first (it migrates and creates the keys and the admin token), the others then at once.
 * Every start is bounded; a failed start rejects with the output of every instance. `output(i)` gives an
 * instance's stdout, log and stderr for failure messages.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AdminInput, AdminMethod, AdminOutput } from '../../src/shared/admin-api';
import { freePort, freshDatabase } from './postgres';
import { startServeProcess, type ServeProcess } from './serve-process';
import { formBody, PASSWORD_GRANT, RESOURCE_SERVER, type ClientRegistration, type TestUser, type TokenResponseBody } from './warden';

export interface ClusterOptions {
  /** How many instances (default 2). */
  instances?: number;
  /** The database URL (default: a fresh database on the run's cluster, freshDatabase()). */
  database?: string;
  /** More flags for every instance (e.g. `--log-level`, default `warn`). */
  args?: string[];
  /** Environment for every instance. */
  env?: NodeJS.ProcessEnv;
  /** Bound on each instance's start (default 90 s: a first start migrates and generates an RSA key under CI load). */
  startTimeoutMs?: number;
}

export interface ServiceCluster {
  /** The deployment's URL (the balancer), which is also every instance's issuer. */
  readonly url: string;
  /** Each instance's own base URL, by index (stable across restarts: the same port). */
  readonly urls: readonly string[];
  readonly database: string;
  readonly adminToken: string;
  readonly adminTokenFile: string;
  readonly masterKeyFile: string;
  /** The running process of instance `i`, or undefined while it is down. */
  instance(i: number): ServeProcess | undefined;
  /** Whether instance `i` is running. */
  alive(i: number): boolean;
  /** Sends `signal` to instance `i` (default SIGKILL) and resolves with its exit code once it has exited. */
  kill(i: number, signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts instance `i` again (after kill) on the same port and data directory. */
  restart(i: number): Promise<ServeProcess>;
  /** Stops every instance (SIGTERM, then SIGKILL past a bound), the balancer, and removes the directories. */
  stopAll(): Promise<void>;
  /** Instance `i`'s captured output (stdout lines, log messages, stderr), or every instance's. */
  output(i?: number): string;
  /** An admin method over HTTP on instance `i` (default 0); throws with the error code when it fails. */
  admin<M extends AdminMethod>(method: M, input: AdminInput<M>, i?: number): Promise<AdminOutput<M>>;
  /** A form POST to instance `i`. */
  postForm(i: number, pathname: string, params: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  createUser(username?: string, password?: string): Promise<TestUser>;
  /** A public client that may use the password grant (and refresh). */
  createPublicClient(clientId?: string, registration?: ClientRegistration): Promise<string>;
  /** A confidential client; by default a resource server (introspection, the feed). */
  createConfidentialClient(clientId?: string, registration?: ClientRegistration): Promise<{ clientId: string; clientSecret: string }>;
  /** Password grant on instance `i` (default 0); throws unless 200. */
  login(user: TestUser, clientId: string, i?: number): Promise<TokenResponseBody>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid}-${Date.now().toString(36)}-${(counter += 1)}`;

export { freePort };

/**
 * The balancer: each accepted connection goes to the next live instance in turn; one that refuses the
 * connection (dead, not yet listening) is skipped for the next. Bytes are piped both ways; either side closing
 * ends both, as an L4 load balancer does.
 */
function startBalancer(targets: () => Array<number | undefined>): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const ports = targets();
    const order = ports.map((_, k) => ports[(next + k) % ports.length]).filter((port): port is number => port !== undefined);
    next = (next + 1) % Math.max(1, ports.length);
    const attempt = (k: number) => {
      if (k >= order.length || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: order[k]! });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
      });
      upstream.on('error', () => {
        upstream.destroy();
        if (!connected) attempt(k + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) return reject(new Error('no balancer port'));
      resolve({
        server,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Starts `options.instances` (default 2) service processes on one database; see the file comment. */
export async function startServiceCluster(options: ClusterOptions = {}): Promise<ServiceCluster> {
  const count = options.instances ?? 2;
  const root = await mkdtemp(path.join(os.tmpdir(), 'warden-cluster-'));
  const database = options.database ?? (await freshDatabase());
  const masterKeyFile = path.join(root, 'master.key');
  await writeFile(masterKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const adminTokenFile = path.join(root, 'admin-token');
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const processes: Array<ServeProcess | undefined> = Array.from({ length: count }, () => undefined);
  // Output of earlier runs of an instance (before a kill), kept for failure messages.
  const earlier: string[] = Array.from({ length: count }, () => '');
  const balancer = await startBalancer(() => ports.map((port, i) => (processes[i] ? port : undefined)));
  const url = `http://127.0.0.1:${balancer.port}`;
  const startTimeoutMs = options.startTimeoutMs ?? 90_000;

  const describe = (run: ServeProcess) =>
    [`stdout: ${run.stdout.join(' | ')}`, `log: ${run.logs.map((event) => `${String(event.level)} ${String(event.msg)}${event.err ? ` ${JSON.stringify(event.err)}` : ''}`).join(' | ')}`, `stderr: ${run.stderr()}`].join('\n');
  const output = (i?: number): string => {
    if (i === undefined) return ports.map((_, k) => `--- instance ${k}\n${output(k)}`).join('\n');
    const run = processes[i];
    return `${earlier[i]}${run ? describe(run) : '(not running)'}`;
  };

  const start = async (i: number): Promise<ServeProcess> => {
    const args = [
      '--data-dir', path.join(root, `instance-${i}`),
      '--port', String(ports[i]),
      '--issuer', url,
      '--database', database,
      '--key-store', 'database',
      '--master-key-file', masterKeyFile,
      '--admin-token-file', adminTokenFile,
      '--log-level', 'warn',
      ...(options.args ?? []),
    ];
    let run: ServeProcess;
    try {
      run = await startServeProcess(args, { env: options.env ?? {}, timeoutMs: startTimeoutMs });
    } catch (error) {
      throw new Error(`instance ${i} did not start: ${error instanceof Error ? error.message : String(error)}\n${output()}`);
    }
    processes[i] = run;
    run.child.once('exit', (code, signal) => {
      // Exited, whatever the cause: down from now on, its output kept.
      if (processes[i] === run) {
        earlier[i] += `${describe(run)}\n(exited: ${String(code ?? signal)})\n`;
        processes[i] = undefined;
      }
    });
    return run;
  };

  const stopAll = async () => {
    await Promise.all(
      processes.map(async (run) => {
        if (!run) return;
        const killer = setTimeout(() => void run.stop('SIGKILL'), 20_000);
        await run.stop('SIGTERM');
        clearTimeout(killer);
      }),
    );
    await balancer.close();
    await rm(root, { recursive: true, force: true });
  };

  try {
    await start(0);
    await Promise.all(ports.slice(1).map((_, k) => start(k + 1)));
  } catch (error) {
    await stopAll();
    throw error;
  }
  const adminToken = (await readFile(adminTokenFile, 'utf8')).trim();
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);

  const admin = async <M extends AdminMethod>(method: M, input: AdminInput<M>, i = 0): Promise<AdminOutput<M>> => {
    const response = await fetch(`${urls[i]}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    if (!body.ok) throw Object.assign(new Error(`${method}: ${body.error?.code}: ${body.error?.message}`), { code: body.error?.code });
    return body.value as AdminOutput<M>;
  };
  const postForm = (i: number, pathname: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    fetch(`${urls[i]}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: formBody(params) });

  return {
    url,
    urls,
    database,
    adminToken,
    adminTokenFile,
    masterKeyFile,
    instance: (i) => processes[i],
    alive: (i) => processes[i] !== undefined,
    async kill(i, signal = 'SIGKILL') {
      const run = processes[i];
      if (!run) throw new Error(`instance ${i} is not running`);
      // Down for the balancer at once: no new connection goes to a dying instance.
      processes[i] = undefined;
      earlier[i] += `(${signal} sent)\n`;
      const code = await run.stop(signal);
      earlier[i] += `${describe(run)}\n(exited: ${String(code)})\n`;
      return code;
    },
    async restart(i) {
      if (processes[i]) throw new Error(`instance ${i} is still running`);
      return start(i);
    },
    stopAll,
    output,
    admin,
    postForm,
    async createUser(username = unique('user-'), password = 'correct horse battery') {
      const { id } = await admin('createUser', { username, password });
      return { id, username, password };
    },
    async createPublicClient(clientId = unique('app-'), registration = PASSWORD_GRANT) {
      await admin('createClient', { clientId, kind: 'public', name: `Test app ${clientId}`, ...registration });
      return clientId;
    },
    async createConfidentialClient(clientId = unique('api-'), registration = RESOURCE_SERVER) {
      const created = await admin('createClient', { clientId, kind: 'confidential', name: `Test API ${clientId}`, ...registration });
      if (!created.clientSecret) throw new Error('a confidential client must get a secret');
      return { clientId, clientSecret: created.clientSecret };
    },
    async login(user, clientId, i = 0) {
      const response = await postForm(i, '/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: clientId });
      const body = (await response.json()) as TokenResponseBody & { error?: string };
      if (response.status !== 200) throw new Error(`login failed on instance ${i}: ${response.status} ${JSON.stringify(body)}`);
      return body;
    },
  };
}
