/**
 * A transaction the database aborted to settle a conflict with another one running at the same time: a
 * deadlock (PostgreSQL 40P01, after `deadlock_timeout`) or a serialization failure (40001). Nothing of it was
 * committed, and running the same work again in a new transaction may well succeed. Only PostgreSQL raises it:
 * several instances write one database there; SQLite has one writer at a time.
 *
 * It is a storage_error like any other to a caller that does not retry (the code and message stay stable);
 * code whose work is re-runnable (the engine's batched units: EngineContext.runMany) runs it again with
 * `rerunTransient`.
 */
import { WardenError } from '../../shared/errors';

export class TransientStoreError extends WardenError {
  constructor(message: string, detail: string) {
    super('storage_error', message, { detail });
  }
}

export function isTransientStoreError(error: unknown): error is TransientStoreError {
  return error instanceof TransientStoreError;
}

/**
 * How many times a re-runnable transaction is run in all. The one that lost a deadlock runs again once the
 * winner has committed (PostgreSQL chose the victim, so the winner goes on): a second loss needs a new
 * conflict each time, and three in a row is a fault worth reporting rather than a loop.
 */
export const TRANSIENT_ATTEMPTS = 3;

/** Runs `transaction` again (up to TRANSIENT_ATTEMPTS in all) while it fails with a TransientStoreError. */
export async function rerunTransient<T>(transaction: () => Promise<T>, attempts = TRANSIENT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (!isTransientStoreError(error) || attempt >= attempts) throw error;
    }
  }
}
