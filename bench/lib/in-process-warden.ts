/**
 * A Token Warden service inside the bench process (real SQLite file in a temporary directory, memory key
 * vault, 127.0.0.1, a free port), with the clients and user a suite needs, created through the engine.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startWarden, type RunningWarden } from '../../src/main/app';
import type { TokenSet } from '../../src/main/engine/types';
import type { SigningAlg } from '../../src/shared/dto';
import { onAbnormalExit } from './child';

export const BENCH_PASSWORD = 'bench-password-1';
export const BENCH_DEVICE = { name: 'bench', userAgent: 'token-warden-bench', ip: '127.0.0.1' };

export interface BenchWarden {
  warden: RunningWarden;
  /** A public client for password and refresh grants. */
  appClientId: string;
  /** A confidential client for resource servers (the kit). */
  api: { clientId: string; clientSecret: string };
  userId: string;
  username: string;
  /** Password grant through the engine (scrypt included). */
  login(): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  close(): Promise<void>;
}

/** `signingAlg`: the new install's access-token algorithm (default: the service's own default). */
export async function startBenchWarden(options: { signingAlg?: SigningAlg } = {}): Promise<BenchWarden> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'warden-bench-'));
  const forget = onAbnormalExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const warden = await startWarden({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: false, warn: () => {}, ...options });
  const engine = warden.engine;
  const who = { actor: 'admin', role: 'owner' as const, adminId: null };
  const appClientId = 'bench-app';
  await engine.admin.createClient({ clientId: appClientId, kind: 'public', name: 'Bench app', grantTypes: ['password', 'refresh_token'] }, who);
  const created = await engine.admin.createClient({ clientId: 'bench-api', kind: 'confidential', name: 'Bench API', grantTypes: [] }, who);
  if (!created.clientSecret) throw new Error('a confidential client must get a secret');
  const username = 'bench.user';
  const { id: userId } = await engine.admin.createUser({ username, password: BENCH_PASSWORD }, who);
  return {
    warden,
    appClientId,
    api: { clientId: created.clientId, clientSecret: created.clientSecret },
    userId,
    username,
    login: () => engine.login({ username, password: BENCH_PASSWORD, clientId: appClientId, device: BENCH_DEVICE, rememberMe: false }),
    refresh: (refreshToken) => engine.refresh({ refreshToken, clientId: appClientId, device: BENCH_DEVICE }),
    async close() {
      await warden.close();
      await rm(dataDir, { recursive: true, force: true });
      forget();
    },
  };
}

/** Resolves with `promise`, or rejects after `ms` with a message naming what was awaited. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
