/**
 * Token Warden as users run it: `src/main/headless.ts` (what `npm run serve` runs) in its own process, with
 * a temporary data directory and the memory key vault, on 127.0.0.1 and a free port. Everything else goes
 * through its public HTTP surface: the admin API with the admin token, and the OAuth token endpoint.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AdminInput, AdminMethod, AdminOutput } from '../../src/shared/admin-api';
import { onAbnormalExit, spawnTs, waitForStdout, type ChildServer } from './child';

export const SERVICE_PASSWORD = 'bench-password-1';

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface WardenProcess {
  child: ChildServer;
  issuer: string;
  admin<M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>>;
  /** POST /oauth/token with a form body; resolves with status and parsed body. */
  token(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Password grant for `username`; throws unless 200. */
  login(username: string, clientId: string): Promise<TokenBody>;
  stop(): Promise<void>;
}

/** `args`: more flags for the service (e.g. `--log-level warn`). */
export async function startWardenProcess(options: { args?: string[] } = {}): Promise<WardenProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-bench-svc-'));
  const forget = onAbnormalExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawnTs('src/main/headless.ts', ['--data-dir', dataDir, '--key-store', 'memory', '--port', '0', ...(options.args ?? [])]);
  let issuer: string;
  try {
    issuer = (await waitForStdout(child.proc, /Token Warden listening on (http:\/\/127\.0\.0\.1:\d+)/, 30_000))[1]!;
  } catch (error) {
    await child.stop();
    throw new Error(`the token service did not start: ${String(error)}\n${child.stderr()}`);
  }
  const adminToken = (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim();

  const admin = async <M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>> => {
    const response = await fetch(`${issuer}/admin/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.code}: ${body.error?.message}`);
    return body.value as AdminOutput<M>;
  };
  const token = async (params: Record<string, string>) => {
    const response = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'token-warden-bench' },
      body: new URLSearchParams(params).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return {
    child,
    issuer,
    admin,
    token,
    async login(username, clientId) {
      const { status, body } = await token({ grant_type: 'password', username, password: SERVICE_PASSWORD, client_id: clientId });
      if (status !== 200) throw new Error(`login of ${username} failed: ${status} ${JSON.stringify(body)}`);
      return body as unknown as TokenBody;
    },
    async stop() {
      await child.stop();
      await rm(dataDir, { recursive: true, force: true });
      forget();
    },
  };
}

/** Runs `task` over `items` with at most `limit` in flight. */
export async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
