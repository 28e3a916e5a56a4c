/**
 * The two SQLite stores every store suite runs against: a real file (which can be closed and reopened, to
 * show what persists) and `:memory:`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main/store/index';
import type { Store } from '../../src/main/store/store';

export interface SqliteHarness {
  store: Store;
  /** Closes `store` and opens the same data again; undefined for stores that do not persist. */
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

function fileHarness(prefix: string): SqliteHarness {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const path = join(dir, 'warden.db');
  let store: Store = openStore(path);
  return {
    store,
    reopen: async () => {
      await store.close();
      store = openStore(path);
      return store;
    },
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function memoryHarness(): SqliteHarness {
  const store = openStore(':memory:');
  return { store, cleanup: () => store.close() };
}

/**
 * Runs `suite` once on a SQLite file (temporary directory named by `prefix`) and once on `:memory:`;
 * `persistent` says whether the harness can `reopen` the same data. onEveryStore (./every-store.ts) adds
 * PostgreSQL.
 */
export function onEverySqliteStore(prefix: string, suite: (name: string, makeHarness: () => SqliteHarness, persistent: boolean) => void): void {
  suite('SQLite file', () => fileHarness(prefix), true);
  suite(':memory:', memoryHarness, false);
}
