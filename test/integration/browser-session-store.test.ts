/** The browser-session store suite against SQLite in a real file and in ':memory:'. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/main/store/index';
import type { Store } from '../../src/main/store/store';
import { browserSessionStoreSuite, type BrowserSessionStoreHarness } from './browser-session-store.suite';

function fileHarness(): BrowserSessionStoreHarness {
  const dir = mkdtempSync(join(tmpdir(), 'warden-browser-sessions-'));
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

function memoryHarness(): BrowserSessionStoreHarness {
  const store = openStore(':memory:');
  return { store, cleanup: () => store.close() };
}

browserSessionStoreSuite('SQLite file', fileHarness);
browserSessionStoreSuite(':memory:', memoryHarness);
