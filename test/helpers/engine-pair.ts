/**
 * Two engines, each on its own PgStore, on one fresh PostgreSQL database: two instances in one process, for the
 * tests whose interleaving must be the engines' own (a batch is exactly the refreshes pushed in one turn; a unit
 * waits at a barrier), which real processes over HTTP could not pin down. One memory vault and one frozen clock
 * are shared, as one key store and one time would be in a deployment. Seeded with the user `ana` and the public
 * client `app`. Deadlocks are looked for once a lock wait lasts `deadlockTimeout` (PostgreSQL's default is 1 s:
 * shorter here, so the same deadlocks are found sooner).
 */
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { ManualClock } from '../../src/main/engine/clock';
import { Engine } from '../../src/main/engine/engine';
import type { TokenSet } from '../../src/main/engine/types';
import { MemoryVault } from '../../src/main/keys/memory-vault';
import { openPgStore } from '../../src/main/store/pg/pg-store';
import { WardenError } from '../../src/shared/errors';
import { freshDatabase } from './postgres';

export const ADMIN = { actor: 'admin:test', role: 'owner' as const, adminId: null };
export const DEVICE = { name: 'phone', userAgent: 'Test/1.0', ip: '127.0.0.2' };
const ISSUER = 'http://127.0.0.1:7777';
const PASSWORD = 'correct horse battery';

export interface EnginePair {
  a: Engine;
  b: Engine;
  /** A password login of `ana` through `a`. */
  login(): Promise<TokenSet>;
}

/** Opens a fresh pair before each test of the calling file and closes it after. */
export function useEnginePair(options: { deadlockTimeout?: string } = {}): EnginePair {
  const engines: Engine[] = [];
  const pair = {} as EnginePair;
  beforeEach(async () => {
    const url = await freshDatabase();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET deadlock_timeout = '${options.deadlockTimeout ?? '100ms'}'`).finally(() => admin.end());
    const clock = new ManualClock();
    const vault = new MemoryVault();
    const open = async () => {
      const engine = await Engine.open({ store: await openPgStore({ url }), vault, clock, issuer: ISSUER, onError: () => {} });
      engines.push(engine);
      return engine;
    };
    pair.a = await open();
    pair.b = await open();
    pair.login = () => pair.a.login({ username: 'ana', password: PASSWORD, clientId: 'app', device: DEVICE, rememberMe: false });
    await pair.a.admin.createUser({ username: 'ana', password: PASSWORD }, ADMIN);
    await pair.a.admin.createClient({ clientId: 'app', kind: 'public', name: 'App', grantTypes: ['password', 'refresh_token'] }, ADMIN);
  });
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });
  return pair;
}

/** A promise's outcome as a value: 'ok', or the error's code and detail. */
export function outcomeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (error: unknown) => (error instanceof WardenError ? `${error.code} ${error.detail ?? ''}` : String(error)));
}
