/**
 * Shared helpers for integration tests against a real Token Warden: a service on 127.0.0.1 (port 0) with a
 * real SQLite file in a temporary data directory and, by default, the memory key vault.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdminInput, AdminMethod, AdminOutput } from '../../src/shared/admin-api';
import { startWarden, type RunningWarden, type WardenOptions } from '../../src/main/app';

export interface TokenResponseBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
}

export interface TestWarden {
  warden: RunningWarden;
  baseUrl: string;
  dataDir: string;
  adminToken: string;
  /** Calls an admin method over HTTP; throws with the error code when it fails. */
  admin<M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>>;
  /** A POST with a form body (string values; arrays repeat the parameter). */
  postForm(pathname: string, params: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  createUser(username?: string, password?: string): Promise<TestUser>;
  /**
   * A public client. Without `registration` it may use the password grant (which the `login` helper speaks);
   * with it, it gets exactly that registration (createClient's defaults for anything left out).
   */
  createPublicClient(clientId?: string, registration?: ClientRegistration): Promise<string>;
  /**
   * A confidential client. Without `registration` it is a resource server (introspection, the feed) and uses no
   * grant, so it adds no ID-token key pair; with it, it gets exactly that registration.
   */
  createConfidentialClient(clientId?: string, registration?: ClientRegistration): Promise<{ clientId: string; clientSecret: string }>;
  /** Password grant; throws unless 200. */
  login(user: TestUser, clientId: string, extra?: Record<string, string>): Promise<TokenResponseBody>;
  /** Counts that must not move when a request is refused. */
  snapshot(): Promise<Record<string, unknown>>;
  /** Stops the service; removes the data directory unless `keepDir` was set. */
  close(): Promise<void>;
}

/** createClient's registration fields (redirect and logout URIs, grants, ID-token alg). */
export type ClientRegistration = Omit<AdminInput<'createClient'>, 'clientId' | 'kind' | 'name'> & { name?: string };

/** What the password-grant tests' clients are registered with: the password grant is opt-in since schema 5. */
export const PASSWORD_GRANT: ClientRegistration = { grantTypes: ['password', 'refresh_token'] };

/** A resource server's registration: it takes part in no grant. */
export const RESOURCE_SERVER: ClientRegistration = { grantTypes: [] };

let counter = 0;
const unique = (prefix: string) => `${prefix}${process.pid}-${Date.now().toString(36)}-${(counter += 1)}`;

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export function formBody(params: Record<string, string | string[]>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, item);
  }
  return search.toString();
}

export async function startTestWarden(
  overrides: Partial<WardenOptions> & { keepDir?: boolean } = {},
): Promise<TestWarden> {
  const { keepDir = false, ...options } = overrides;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'warden-test-')));
  const warden = await startWarden({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    allowRemote: false,
    keyStore: 'memory',
    consoleDir: null,
    demo: false,
    ...options,
  });
  const baseUrl = warden.issuer;
  const adminToken = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();

  const admin = async <M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>> => {
    const response = await fetch(`${baseUrl}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    if (!body.ok) throw Object.assign(new Error(`${method}: ${body.error?.code}: ${body.error?.message}`), { code: body.error?.code });
    return body.value as AdminOutput<M>;
  };

  const postForm = (pathname: string, params: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: formBody(params),
    });

  const t: TestWarden = {
    warden,
    baseUrl,
    dataDir,
    adminToken,
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
    async login(user, clientId, extra = {}) {
      const response = await postForm('/oauth/token', { grant_type: 'password', username: user.username, password: user.password, client_id: clientId, ...extra });
      const body = (await response.json()) as TokenResponseBody & { error?: string };
      if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(body)}`);
      return body;
    },
    async snapshot() {
      const store = warden.engine.store;
      const now = Date.now();
      return {
        users: await store.countUsers(),
        clients: (await store.listClients()).length,
        sessions: (await store.listSessions({ now, offset: 0, limit: 1 })).total,
        activeSessions: await store.countActiveSessions(now),
        counters: await store.getCounters(),
        lastRevocationId: await store.lastRevocationId(),
        lastAuditSeq: (await store.lastAudit())?.seq ?? 0,
        keys: (await store.listKeys()).map((key) => `${key.kid}:${key.status}`),
      };
    },
    async close() {
      await warden.close();
      if (!keepDir && !overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/**
 * Resolves with the first value an event source emits that satisfies `accept`, or rejects after a bounded
 * wait. `subscribe` registers a listener and returns its unsubscribe function.
 */
export function nextEvent<T>(
  subscribe: (listener: (value: T) => void) => () => void,
  accept: (value: T) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}
