/**
 * Chooses the private-key vault from `--key-store`. The keychain is the default and is never replaced silently:
 * when it is unavailable `openVault('keychain', …)` rejects with `keychain_unavailable`, and the operator has to
 * ask for `memory` (ephemeral keys) explicitly.
 */
import { KeychainVault } from './keychain-vault';
import { MemoryVault } from './memory-vault';
import type { KeyVault } from './vault';

export type KeyStoreKind = KeyVault['kind'];

export { KeychainVault, KEYCHAIN_SERVICE } from './keychain-vault';
export { MemoryVault } from './memory-vault';
export type { KeyVault } from './vault';

/**
 * Opens the vault of the given kind.
 * @param instanceId namespaces keychain entries per data directory (ignored by the memory vault).
 * @throws WardenError `keychain_unavailable` for `keychain` when no OS keychain answers.
 */
export async function openVault(kind: KeyStoreKind, instanceId: string): Promise<KeyVault> {
  switch (kind) {
    case 'keychain':
      return KeychainVault.open(instanceId);
    case 'memory':
      return new MemoryVault();
    default:
      throw new TypeError(`Unknown key store: ${String(kind satisfies never)}`);
  }
}
