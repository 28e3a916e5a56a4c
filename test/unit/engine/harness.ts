/** A real engine on a real SQLite file in a temp dir, a memory vault and a frozen clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import { Engine } from '../../../src/main/engine/engine';
import type { DeviceInfo, TokenSet } from '../../../src/main/engine/types';
import { MemoryVault } from '../../../src/main/keys/memory-vault';
import { openStore } from '../../../src/main/store';
import type { Store } from '../../../src/main/store/store';
import { WardenError, type ErrorCode } from '../../../src/shared/errors';
import type { Settings, SigningAlg } from '../../../src/shared/dto';

export const ISSUER = 'http://127.0.0.1:7777';
export const PHONE: DeviceInfo = { name: "Ana's phone", userAgent: 'WardenDemo/1.0 (iPhone)', ip: '127.0.0.2' };
export const LAPTOP: DeviceInfo = { name: 'Firefox on Linux', userAgent: 'Mozilla/5.0 Firefox/140', ip: '127.0.0.3' };
export const ADMIN = { actor: 'admin:test', role: 'owner' as const, adminId: null };
/** A caller with another role; roles are enforced by dispatchAdmin, so call through it to see a refusal. */
export const asRole = (role: 'viewer' | 'operator' | 'owner', actor = `admin:${role}`) => ({ actor, role, adminId: null });
export const PASSWORD = 'correct horse battery';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

export interface Harness {
  engine: Engine;
  clock: ManualClock;
  store: Store;
  vault: MemoryVault;
  /** Faults reported through the engine's onError (listener failures, vault cleanup). */
  errors: unknown[];
  dir: string;
  path: string;
  userId: string;
  /** Closes and reopens the engine on the same file and vault (a restart). */
  restart(): Promise<Engine>;
  login(device?: DeviceInfo, rememberMe?: boolean, username?: string): Promise<TokenSet>;
  settings(patch: Partial<Settings>): Promise<void>;
}

/** `initialSigningAlg`: pin a new install's algorithm where a test is about one (default: the engine's default). */
export async function makeHarness(options: { initialSigningAlg?: SigningAlg } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'warden-engine-'));
  const path = join(dir, 'warden.db');
  const clock = new ManualClock();
  const vault = new MemoryVault();
  const errors: unknown[] = [];
  const open = async () => Engine.open({ store: openStore(path), vault, clock, issuer: ISSUER, onError: (e) => errors.push(e), ...options });
  let engine = await open();
  cleanups.push(async () => {
    try {
      await engine.close();
    } catch {
      // already closed
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const { id: userId } = await engine.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
  await engine.admin.createClient({ clientId: 'web', kind: 'public', name: 'Web app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  await engine.admin.createClient({ clientId: 'mobile', kind: 'public', name: 'Mobile app', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  const harness: Harness = {
    get engine() {
      return engine;
    },
    get store() {
      return engine.store;
    },
    clock,
    vault,
    errors,
    dir,
    path,
    userId,
    async restart() {
      await engine.close();
      engine = await open();
      return engine;
    },
    login: (device = PHONE, rememberMe = false, username = 'ana') =>
      engine.login({ username, password: PASSWORD, clientId: device === LAPTOP ? 'web' : 'mobile', device, rememberMe }),
    settings: async (patch) => {
      await engine.admin.updateSettings(patch, ADMIN);
    },
  } as Harness;
  return harness;
}

/** Asserts that `fn` fails with a WardenError of exactly this code. */
export async function expectCode(fn: () => unknown, code: ErrorCode): Promise<WardenError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof WardenError && error.code === code) return error;
    throw new Error(`expected ${code}, got ${error instanceof WardenError ? error.code : String(error)}`);
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
