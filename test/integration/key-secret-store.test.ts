/** The key-secret store suite against SQLite in a real file, in ':memory:' and on PostgreSQL. */
import type { Store } from '../../src/main/store/store';
import { onEveryStore } from '../helpers/every-store';
import { keySecretStoreSuite } from './key-secret-store.suite';

onEveryStore('warden-key-secrets-', (label, open, persistent) =>
  keySecretStoreSuite(label, async () => {
    const h = await open();
    let store: Store = h.store;
    return {
      secrets: () => store.keySecrets,
      ...(persistent ? { reopen: async () => void (store = await h.reopen!()) } : {}),
      cleanup: () => h.cleanup(),
    };
  }),
);
