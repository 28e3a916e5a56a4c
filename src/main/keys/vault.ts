/**
 * Where private signing keys live. The store keeps only public JWKs; private JWKs go through a vault:
 * the OS keychain on a desktop, the database sealed under a master key on a server (./database-vault.ts),
 * memory for tests and demo mode. Never a file on disk in the clear.
 */
export interface KeyVault {
  /** `keychain`, `database` or `memory`, shown in the console and the startup line. */
  readonly kind: 'keychain' | 'database' | 'memory';
  /** Stores the private JWK (JSON text) for `kid`. Overwrites. */
  put(kid: string, privateJwk: string): Promise<void>;
  /** The private JWK for `kid`, or undefined when the vault has none. */
  get(kid: string): Promise<string | undefined>;
  /** Removes it; resolves even when it was not there. */
  delete(kid: string): Promise<void>;
}
