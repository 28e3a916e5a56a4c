/**
 * Every store a shared store suite runs against: SQLite in a file, SQLite `:memory:`, and PostgreSQL (skipped,
 * with the reason printed, when this run has no PostgreSQL: test/helpers/postgres.ts).
 *
 * A suite gets `open()` (asynchronous: a PostgreSQL harness creates or empties a database) and an explicit
 * `persistent` flag: whether `reopen` gives the same data back, which a suite needs at collection time (when
 * `describe`/`it.skipIf` are called, before any harness can be awaited).
 */
import type { Store } from '../../src/main/store/store';
import { onPgStore } from './postgres';
import { onEverySqliteStore } from './sqlite-harness';

export interface StoreHarness {
  store: Store;
  /** Opens the same data again (persistent stores only; the previous store may be left open). */
  reopen?: () => Promise<Store>;
  /** Closes every store the harness opened and removes its data. */
  cleanup: () => Promise<void>;
}

export type StoreSuite = (name: string, open: () => Promise<StoreHarness>, persistent: boolean) => void;

/** Runs `suite` on a SQLite file (temporary directory named by `prefix`), on `:memory:` and on PostgreSQL. */
export function onEveryStore(prefix: string, suite: StoreSuite): void {
  onEverySqliteStore(prefix, (name, open, persistent) => suite(name, async () => open(), persistent));
  onPgStore((name, open) => suite(name, open, true));
}
