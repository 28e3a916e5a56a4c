/**
 * The ephemeral vault behind `--key-store memory`: private keys live only in this process and are gone when
 * it exits (every token signed by them becomes unverifiable after a restart). For tests, demo mode and
 * machines without an OS keychain.
 */
import type { KeyVault } from './vault';

export class MemoryVault implements KeyVault {
  readonly kind = 'memory' as const;
  readonly #keys = new Map<string, string>();

  async put(kid: string, privateJwk: string): Promise<void> {
    this.#keys.set(kid, privateJwk);
  }

  async get(kid: string): Promise<string | undefined> {
    return this.#keys.get(kid);
  }

  async delete(kid: string): Promise<void> {
    this.#keys.delete(kid);
  }
}
