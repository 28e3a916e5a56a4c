/**
 * How fast the engine rotates refresh tokens on a given store, in process (no HTTP): 50 chains, each
 * refreshing as soon as its last refresh answered, so concurrent refreshes are coalesced as in the service.
 * Also the bytes the process handed to write(2) per refresh (/proc/self/io `wchar`: the log frames plus the
 * checkpoint thread's copies into the database file), a figure that does not depend on the machine's speed.
 *
 * The scale suite runs it on a fresh store and on a copy of the 1M-session store, side by side: an empty
 * database keeps every index small, a store that has served for months does not.
 */
import { readFileSync } from 'node:fs';
import type { Engine } from '../../src/main/engine/engine';
import { isWardenError } from '../../src/shared/errors';
import { check } from './report';

const CHAINS = 50;
const WARMUP_ROUNDS = 10;
const PASSWORD = 'rotation-bench-1';
const DEVICE = { name: 'bench', userAgent: 'token-warden-bench', ip: '127.0.0.1' };

export interface RotationRate {
  refreshesPerSecond: number;
  /** bytes written (write/pwrite calls) per refresh; null where /proc/self/io is missing */
  bytesPerRefresh: number | null;
  refreshes: number;
}

function bytesWritten(): number | null {
  try {
    const match = /^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Signs in CHAINS new users of `clientId` (plus one for the checks), checks a rotation, then times rotations. */
export async function measureRotation(engine: Engine, clientId: string, durationMs: number): Promise<RotationRate> {
  const tag = `rot${Date.now().toString(36)}`;
  const who = { actor: 'admin', role: 'owner' as const, adminId: null };
  const chains: string[] = [];
  for (let i = 0; i <= CHAINS; i++) {
    const username = `${tag}.${i}`;
    await engine.admin.createUser({ username, password: PASSWORD }, who);
    chains.push((await engine.login({ username, password: PASSWORD, clientId, device: DEVICE, rememberMe: false })).refreshToken);
  }
  // The answers first: a rotation yields a token that verifies, and the rotated token is refused after.
  const probe = chains.pop()!;
  const rotated = await engine.refresh({ refreshToken: probe, clientId, device: DEVICE });
  check((await engine.verifyAccessToken(rotated.accessToken)).active, 'a rotated access token does not verify');
  const reuse = await engine.refresh({ refreshToken: probe, clientId, device: DEVICE }).then(
    () => 'accepted',
    (error: unknown) => (isWardenError(error) ? error.code : String(error)),
  );
  check(reuse === 'refresh_token_reused', `a rotated refresh token was not refused as reused (${reuse})`);

  const round = async () => {
    const next = await Promise.all(chains.map((refreshToken) => engine.refresh({ refreshToken, clientId, device: DEVICE })));
    next.forEach((tokens, i) => (chains[i] = tokens.refreshToken));
  };
  for (let i = 0; i < WARMUP_ROUNDS; i++) await round();

  let refreshes = 0;
  let stop = false;
  const timer = setTimeout(() => (stop = true), durationMs);
  const bytesBefore = bytesWritten();
  const started = performance.now();
  await Promise.all(
    chains.map(async (_, i) => {
      while (!stop) {
        chains[i] = (await engine.refresh({ refreshToken: chains[i]!, clientId, device: DEVICE })).refreshToken;
        refreshes += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(timer);
  const bytesAfter = bytesWritten();
  return {
    refreshesPerSecond: refreshes / seconds,
    bytesPerRefresh: bytesBefore !== null && bytesAfter !== null ? (bytesAfter - bytesBefore) / refreshes : null,
    refreshes,
  };
}
