/**
 * Readiness (`GET /readyz`): may a load balancer send this instance traffic? Every probe asks afresh —
 * nothing is cached — so an instance whose database went away turns unready at the next probe and ready again
 * when it answers, without a restart.
 *
 * Checks: `migrations` (the store is open: both stores run their migrations at open), `keys` (the engine
 * holds the private half of the key that signs access tokens), `database` (a cheap round trip answers within
 * the probe's time), and `accepting` (false once SIGTERM's drain began: the balancer takes the instance out).
 */
import type { Store } from '../store/store';

export type CheckName = 'migrations' | 'keys' | 'database' | 'accepting';
export type CheckState = 'ok' | 'fail';

export interface ReadinessState {
  /** The open store; undefined until it has opened (migrations included). */
  store(): Store | undefined;
  /** The engine is up with a signing key whose private half it holds. */
  keysLoaded(): boolean;
  draining(): boolean;
}

export interface Readiness {
  ready: boolean;
  checks: Record<CheckName, CheckState>;
  /** Why a failed check failed (logged; not sent to the prober, whose answer names only the check). */
  causes: Partial<Record<CheckName, string>>;
}

/** How long the database may take to answer a probe. */
export const PROBE_TIMEOUT_MS = 2_000;

/** Resolves when the database answers `ping()` (SELECT 1; SQLite answers after any open transaction). */
export async function storeReachable(store: Store): Promise<void> {
  // ping() is part of the storage boundary now (docs/storage.md): every store answers it.
  await store.ping();
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300);

export async function checkReadiness(state: ReadinessState, timeoutMs = PROBE_TIMEOUT_MS): Promise<Readiness> {
  const store = state.store();
  const checks: Record<CheckName, CheckState> = { migrations: store ? 'ok' : 'fail', keys: 'fail', database: 'fail', accepting: state.draining() ? 'fail' : 'ok' };
  const causes: Readiness['causes'] = {};
  if (!store) causes.migrations = 'the store is not open yet';
  try {
    if (state.keysLoaded()) checks.keys = 'ok';
    else causes.keys = 'no signing key with its private half is loaded yet';
  } catch (error) {
    causes.keys = describe(error);
  }
  if (store) {
    try {
      // Called inside the promise: a synchronous store's throw becomes a rejection like an asynchronous one's.
      await within(Promise.resolve().then(() => storeReachable(store)), timeoutMs);
      checks.database = 'ok';
    } catch (error) {
      causes.database = describe(error);
    }
  } else causes.database = 'the store is not open yet';
  if (checks.accepting === 'fail') causes.accepting = 'draining: the service is stopping';
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks, causes };
}
