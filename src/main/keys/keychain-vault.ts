/**
 * Private signing keys in the OS keychain (the Secret Service on Linux, Keychain on macOS, Credential Manager on
 * Windows) through @napi-rs/keyring. There is deliberately no fallback: if the keychain does not answer, the
 * caller gets `keychain_unavailable` and must choose `--key-store memory` explicitly. Keys never go to disk.
 */
import { randomUUID } from 'node:crypto';
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { WardenError } from '../../shared/errors';
import type { KeyVault } from './vault';

/** The keychain "service" every Token Warden entry is filed under. */
export const KEYCHAIN_SERVICE = 'token-warden';

/** How long the startup probe may take: a locked keyring can wait for a password prompt that never comes. */
const PROBE_TIMEOUT_MS = 10_000;

const UNAVAILABLE_MESSAGE =
  'No OS keychain is available to hold the private signing keys (the Secret Service did not answer). ' +
  'Start a keyring (headless: scripts/with-keyring.sh), or run with `--key-store memory` ' +
  '(ephemeral keys, lost on exit: tokens signed before a restart stop verifying).';

/**
 * On Linux the keyring crate would otherwise fall back to the kernel keyring, which is per-boot and would
 * silently lose keys on reboot: pin the Secret Service so an absent one is an error, not a surprise.
 */
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

function unavailable(cause: unknown): WardenError {
  return new WardenError('keychain_unavailable', UNAVAILABLE_MESSAGE, { detail: describe(cause) });
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`keychain did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

function checkName(label: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) {
    throw new TypeError(`${label} must be a non-empty string of at most 200 characters`);
  }
}

export class KeychainVault implements KeyVault {
  readonly kind = 'keychain' as const;
  readonly #instanceId: string;

  /**
   * Use {@link KeychainVault.open}, which proves the keychain works before anything depends on it.
   * @param instanceId namespaces the entries (`<instanceId>:<kid>`), so two data directories never share keys.
   */
  private constructor(instanceId: string) {
    checkName('instanceId', instanceId);
    this.#instanceId = instanceId;
  }

  /**
   * Opens the vault after a write/read/delete round trip of a probe entry.
   * @throws WardenError `keychain_unavailable` when the keychain is missing, locked or misbehaving.
   */
  static async open(instanceId: string): Promise<KeychainVault> {
    const vault = new KeychainVault(instanceId);
    const probeKid = `__probe__:${randomUUID()}`;
    const value = randomUUID();
    try {
      await withTimeout(
        (async () => {
          const entry = vault.#entry(probeKid);
          await entry.setPassword(value);
          const read = await entry.getPassword();
          await entry.deleteCredential();
          if (read !== value) throw new Error('probe entry did not read back');
        })(),
        PROBE_TIMEOUT_MS,
      );
    } catch (error) {
      throw unavailable(error);
    }
    return vault;
  }

  async put(kid: string, privateJwk: string): Promise<void> {
    checkName('kid', kid);
    await this.#run(() => this.#entry(kid).setPassword(privateJwk));
  }

  async get(kid: string): Promise<string | undefined> {
    checkName('kid', kid);
    const value = await this.#run(() => this.#entry(kid).getPassword());
    return value ?? undefined;
  }

  async delete(kid: string): Promise<void> {
    checkName('kid', kid);
    // `false` means there was nothing to delete, which is fine: delete is idempotent.
    await this.#run(() => this.#entry(kid).deleteCredential());
  }

  #entry(kid: string): AsyncEntry {
    return new AsyncEntry(KEYCHAIN_SERVICE, `${this.#instanceId}:${kid}`, ENTRY_OPTIONS);
  }

  /** A keychain that worked at startup can still be locked later: report it with the same stable code. */
  async #run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw unavailable(error);
    }
  }
}
