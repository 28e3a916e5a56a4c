/**
 * SQLite failures become coded WardenErrors (./sqlite-store.ts `toStoreError`) where they happen: in the
 * statement call. The store's guard (guardMethods in ./sqlite-store.ts) used to map them with a `.catch` on
 * every method's promise; that is one more promise (and, with AsyncLocalStorage's hooks on, one more tracked
 * resource) per store call — a refresh makes a dozen — for an error that almost never comes. Mapping in the
 * statement instead costs a try/catch, free when nothing throws.
 *
 * Every statement of a SqliteStore and its sub-stores comes from its `q()`, which passes each new one here once.
 * The statement stays a real better-sqlite3 Statement (its own methods shadow the prototype's); `raw()`,
 * `pluck()` and `expand()` return the statement itself, so the mapped methods stay in force after them.
 */
import type Database from 'better-sqlite3';
import { toStoreError } from './sqlite-store';

type Method = (...args: unknown[]) => unknown;

export function mapStatementErrors(statement: Database.Statement): Database.Statement {
  const target = statement as unknown as Record<'run' | 'get' | 'all' | 'iterate', Method>;
  for (const name of ['run', 'get', 'all'] as const) {
    const call = target[name];
    Object.defineProperty(statement, name, {
      value: function mapped(this: unknown, ...args: unknown[]): unknown {
        try {
          return call.apply(statement, args);
        } catch (error) {
          throw toStoreError(error);
        }
      },
    });
  }
  const iterate = target.iterate;
  Object.defineProperty(statement, 'iterate', {
    value: function* mappedIterate(...args: unknown[]): Generator<unknown, void, undefined> {
      let rows: Iterator<unknown>;
      try {
        rows = (iterate.apply(statement, args) as Iterable<unknown>)[Symbol.iterator]();
      } catch (error) {
        throw toStoreError(error);
      }
      try {
        for (;;) {
          let next: IteratorResult<unknown>;
          try {
            next = rows.next();
          } catch (error) {
            throw toStoreError(error);
          }
          if (next.done) return;
          yield next.value;
        }
      } finally {
        // A caller that stops early (break) releases the statement, as better-sqlite3's own iterator does.
        rows.return?.();
      }
    },
  });
  return statement;
}
