/** The authorization-code store suite against SQLite in a real file and in ':memory:'. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main/store/index';
import type { Store } from '../../src/main/store/store';
import { codeStoreSuite, type CodeStoreHarness } from './authorization-code-store.suite';

function fileHarness(): CodeStoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'warden-codes-'));
  const path = join(dir, 'warden.db');
  let store: Store = openStore(path);
  return {
    store,
    reopen: () => {
      store.close();
      store = openStore(path);
      return store;
    },
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function memoryHarness(): CodeStoreHarness {
  const store = openStore(':memory:');
  return { store, cleanup: () => store.close() };
}

codeStoreSuite('SQLite file', fileHarness);
codeStoreSuite(':memory:', memoryHarness);
