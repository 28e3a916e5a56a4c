/** Fault injection for the engine's tests: a store that fails at commit, as SQLite does when the disk is full. */
import Database from 'better-sqlite3';
import type { Store } from '../../../src/main/store/store';

/** Wraps a store: while `failing`, each outermost transaction runs its work, then throws SQLITE_FULL instead of committing. */
export function commitFailing(store: Store): { store: Store; fail(on: boolean): void } {
  let failing = false;
  let depth = 0;
  const transaction = <T,>(fn: () => Promise<T>, options?: Parameters<Store['transaction']>[1]): Promise<T> =>
    store.transaction(async () => {
      depth++;
      try {
        const value = await fn();
        if (failing && depth === 1) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
        return value;
      } finally {
        depth--;
      }
    }, options);
  const wrapped = new Proxy(store, {
    get(target, property) {
      if (property === 'transaction') return transaction;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: wrapped, fail: (on) => (failing = on) };
}
