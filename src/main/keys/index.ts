/**
 * Chooses the private-key vault from `--key-store`. The keychain is the default and is never replaced silently:
 * when it is unavailable `openVault('keychain', …)` rejects with `keychain_unavailable`, and the operator has to
 * ask for `memory` (ephemeral keys) explicitly. `database` needs the store and the master key (./database-vault.ts).
 */
import type { Store } from '../store/store';
import { DatabaseVault } from './database-vault';
import { KeychainVault } from './keychain-vault';
import type { MasterKey } from './master-key';
import { MemoryVault } from './memory-vault';
import type { KeyVault } from './vault';

export type KeyStoreKind = KeyVault['kind'];

export { KeychainVault, KEYCHAIN_SERVICE } from './keychain-vault';
export { MemoryVault } from './memory-vault';
export { DatabaseVault } from './database-vault';
export type { KeyVault } from './vault';

/** What `database` needs: the store the sealed keys live in and the master key (with how refusals name it). */
export interface DatabaseVaultOptions {
  store: Store;
  masterKey: MasterKey;
  now: () => number;
  /** e.g. `the master key file /run/secrets/tw-master-key`. */
  keyOrigin?: string;
}

/**
 * Opens the vault of the given kind.
 * @param instanceId namespaces keychain entries per data directory (ignored by the memory vault).
 * @throws WardenError `keychain_unavailable` for `keychain` when no OS keychain answers; `invalid_input` for
 *   `database` without its options or with a wrong master key.
 */
export async function openVault(kind: KeyStoreKind, instanceId: string, database?: DatabaseVaultOptions): Promise<KeyVault> {
  switch (kind) {
    case 'database':
      if (!database) throw new TypeError('openVault("database") needs the store and the master key');
      return DatabaseVault.open(database.store, database.masterKey, database.now, database.keyOrigin);
    case 'keychain':
      return KeychainVault.open(instanceId);
    case 'memory':
      return new MemoryVault();
    default:
      throw new TypeError(`Unknown key store: ${String(kind satisfies never)}`);
  }
}
