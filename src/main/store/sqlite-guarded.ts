/**
 * How the SQLite sub-stores run a statement: a SQLite failure leaves as a coded WardenError (conflict,
 * not_found, invalid_input, storage_error: ./sqlite-store.ts `toStoreError`), like every SqliteStore method's.
 */
import { toStoreError } from './sqlite-store';

export function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toStoreError(error);
  }
}
