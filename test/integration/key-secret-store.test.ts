/** The key-secret store suite against SQLite in a real file and in ':memory:'. */
import { onEverySqliteStore } from '../helpers/sqlite-harness';
import { keySecretStoreSuite } from './key-secret-store.suite';

onEverySqliteStore('warden-key-secrets-', (label, open) =>
  keySecretStoreSuite(label, () => {
    const h = open();
    let store = h.store;
    return {
      secrets: () => store.keySecrets,
      ...(h.reopen ? { reopen: async () => void (store = await h.reopen!()) } : {}),
      cleanup: () => h.cleanup(),
    };
  }),
);
