/**
 * `--key-store database`: private signing JWKs kept in the store (`store.keySecrets`), each sealed with
 * AES-256-GCM under the master key (./master-key.ts) — the vault of a server, whose instances share one
 * database and no keychain. Every row carries the master-key version it is sealed under, and the AAD binds
 * the kid and that version, so a row copied to another kid or relabelled with another version is refused.
 *
 * Opening checks the master key before anything depends on it: the current version's key-check record (a
 * constant sealed under it) must open, or the start is refused with a message that says whether the key is
 * simply wrong or one that a rotation retired. A new database gets version 1's record on the first open.
 * Rotation: ./rotate-master-key.ts. See docs/keys.md.
 */
import { WardenError } from '../../shared/errors';
import type { KekRow, KeySecretRow } from '../store/key-secret-store';
import type { Store } from '../store/store';
import { SealBroken, type MasterKey } from './master-key';
import type { KeyVault } from './vault';

const CHECK_PLAINTEXT = Buffer.from('token-warden master key check v1');

/** Associated data of a key row: what it is, for which kid, under which master-key version. */
export function keyAad(kid: string, kekVersion: number): Buffer {
  return Buffer.from(`token-warden/key-secret/v1\0${kid}\0${kekVersion}`);
}

function checkAad(version: number): Buffer {
  return Buffer.from(`token-warden/kek-check/v1\0${version}`);
}

/** A key-check record for `version` sealed under `key`. */
export function makeKekRow(key: MasterKey, version: number, createdAt: number): KekRow {
  const sealed = key.seal(CHECK_PLAINTEXT, checkAad(version));
  return { version, checkNonce: sealed.nonce, checkCiphertext: sealed.ciphertext, createdAt, retiredAt: null };
}

/** Whether `key` is the master key of this version. */
export function opensKek(key: MasterKey, row: KekRow): boolean {
  try {
    return key.open({ nonce: row.checkNonce, ciphertext: row.checkCiphertext }, checkAad(row.version)).equals(CHECK_PLAINTEXT);
  } catch (error) {
    if (error instanceof SealBroken) return false;
    throw error;
  }
}

const when = (ms: number) => new Date(ms).toISOString();

/**
 * The current version that `key` opens; otherwise a refusal worded for the operator.
 * @throws WardenError `invalid_input` (wrong or retired master key), `storage_error` (no current version).
 */
export function currentKekFor(key: MasterKey, keks: KekRow[], flag = 'the master key'): KekRow {
  const current = keks.find((row) => row.retiredAt === null);
  if (!current) throw new WardenError('storage_error', 'The database has no current master-key record (key_encryption_keys); it was altered by hand or damaged.');
  if (opensKek(key, current)) return current;
  const retired = keks.find((row) => row.retiredAt !== null && opensKek(key, row));
  if (retired) {
    throw new WardenError(
      'invalid_input',
      `${capitalise(flag)} is master-key version ${retired.version}, which a rotation retired at ${when(retired.retiredAt!)}. ` +
        `Start with the current master key (version ${current.version}, set at ${when(current.createdAt)}).`,
    );
  }
  throw new WardenError(
    'invalid_input',
    `${capitalise(flag)} is not the one this database's private keys are encrypted with (its key-check record, master-key version ${current.version} set at ${when(current.createdAt)}, does not open with it). ` +
      'Give the master key the keys were stored with; a different key cannot read them.',
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Opens a sealed row; a row that fails authentication was altered or damaged. */
export function openRow(key: MasterKey, row: KeySecretRow): string {
  try {
    return key.open({ nonce: row.nonce, ciphertext: row.ciphertext }, keyAad(row.kid, row.kekVersion)).toString('utf8');
  } catch (error) {
    if (!(error instanceof SealBroken)) throw error;
    throw new WardenError('storage_error', `The stored private key ${row.kid} failed authentication (AES-256-GCM): its row in key_secrets was altered or damaged. Restore the database from a backup, or revoke the key.`);
  }
}

export function sealRow(key: MasterKey, kid: string, kekVersion: number, privateJwk: string, createdAt: number): KeySecretRow {
  const sealed = key.seal(Buffer.from(privateJwk, 'utf8'), keyAad(kid, kekVersion));
  return { kid, kekVersion, nonce: sealed.nonce, ciphertext: sealed.ciphertext, createdAt };
}

function rotatedAway(version: number): WardenError {
  return new WardenError(
    'storage_error',
    `The master key was rotated while this instance ran with master-key version ${version}; restart it with the new master key.`,
  );
}

function checkKid(kid: string): void {
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > 200) throw new TypeError('kid must be a non-empty string of at most 200 characters');
}

export class DatabaseVault implements KeyVault {
  readonly kind = 'database' as const;

  private constructor(
    private readonly store: Store,
    private readonly key: MasterKey,
    /** The master-key version this vault seals under: the current one at open. */
    readonly kekVersion: number,
    private readonly now: () => number,
  ) {}

  /**
   * Proves `key` is the database's master key (a new database takes it as version 1) and opens the vault.
   * @param flag how refusals name the key's source (`the master key file /run/secrets/…`).
   * @throws WardenError `invalid_input` for a wrong or retired master key; `storage_error` for a damaged record.
   */
  static async open(store: Store, key: MasterKey, now: () => number, flag?: string): Promise<DatabaseVault> {
    // Every store call is awaited: a plain value today (SQLite), a promise on PostgreSQL and after the async boundary.
    let keks = await store.keySecrets.listKeks();
    if (keks.length === 0) {
      if ((await store.keySecrets.count()) > 0) {
        throw new WardenError('storage_error', 'The database holds sealed private keys but no master-key record (key_encryption_keys); it was altered by hand or damaged.');
      }
      // Several instances may start on a new database at once: one record wins, the others check against it.
      await store.transaction(() => store.keySecrets.insertKek(makeKekRow(key, 1, now())), { durable: true });
      keks = await store.keySecrets.listKeks();
    }
    return new DatabaseVault(store, key, currentKekFor(key, keks, flag).version, now);
  }

  async put(kid: string, privateJwk: string): Promise<void> {
    checkKid(kid);
    const row = sealRow(this.key, kid, this.kekVersion, privateJwk, this.now());
    // Durable: the engine commits the public half durably next, and a public key without its private half is lost.
    const written = await this.store.transaction(() => this.store.keySecrets.put(row), { durable: true });
    if (!written) throw rotatedAway(this.kekVersion);
  }

  async get(kid: string): Promise<string | undefined> {
    checkKid(kid);
    const row = await this.store.keySecrets.get(kid);
    if (!row) return undefined;
    if (row.kekVersion > this.kekVersion) throw rotatedAway(this.kekVersion);
    if (row.kekVersion < this.kekVersion) {
      // A rotation re-encrypts every row in its one transaction: an older version here was written by hand.
      throw new WardenError('storage_error', `The stored private key ${kid} is sealed under the retired master-key version ${row.kekVersion}: the database was altered or damaged.`);
    }
    return openRow(this.key, row);
  }

  async delete(kid: string): Promise<void> {
    checkKid(kid);
    await this.store.transaction(() => this.store.keySecrets.delete(kid));
  }
}
