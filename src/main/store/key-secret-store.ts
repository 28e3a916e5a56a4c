/**
 * Sealed private signing keys for `--key-store database` (area D, src/main/keys/database-vault.ts): each
 * private JWK encrypted with AES-256-GCM under the master key, and one key-check record per master-key
 * version (`key_encryption_keys`), which proves at start that the master key given is the one the rows were
 * sealed with. The store keeps bytes only; it never sees a key or a plaintext.
 */

export interface KeySecretRow {
  kid: string;
  /** The master-key version (a `KekRow.version`) the row is sealed under. */
  kekVersion: number;
  /** The random 96-bit GCM nonce. */
  nonce: Buffer;
  /** The sealed private JWK, GCM tag appended. */
  ciphertext: Buffer;
  createdAt: number;
}

/** One master-key version: its key-check record (a constant sealed under it) and whether a rotation retired it. */
export interface KekRow {
  version: number;
  checkNonce: Buffer;
  checkCiphertext: Buffer;
  createdAt: number;
  /** When a rotation replaced it; null for the current version (at most one row has null). */
  retiredAt: number | null;
}

export interface KeySecretStore {
  /**
   * Inserts or replaces `kid`'s row, only while `row.kekVersion` is the current (unretired) master-key
   * version; returns false otherwise (a rotation committed first). PostgreSQL locks that version's row for
   * the rest of the transaction (FOR SHARE), so a concurrent rotation waits and then re-encrypts this row too.
   */
  put(row: KeySecretRow): Promise<boolean>;
  get(kid: string): Promise<KeySecretRow | undefined>;
  /** Resolves even when there was no such row; returns whether one was deleted. */
  delete(kid: string): Promise<boolean>;
  /** Every row, in kid order (a rotation re-encrypts them all). */
  list(): Promise<KeySecretRow[]>;
  count(): Promise<number>;
  /** Every master-key version, oldest first. */
  listKeks(): Promise<KekRow[]>;
  /** Adds a version; false when that version exists already (another instance made it first). */
  insertKek(row: KekRow): Promise<boolean>;
  /**
   * Retires the current `version` at `at`; false when it is not the current one (another rotation won).
   * PostgreSQL: the row lock this takes makes concurrent `put`s and rotations wait for this transaction.
   */
  retireKek(version: number, at: number): Promise<boolean>;
}

/** The argument checks both stores make (same TypeErrors). */
export function checkKeySecretRow(row: KeySecretRow): void {
  if (typeof row.kid !== 'string' || row.kid.length === 0 || row.kid.length > 200) throw new TypeError('kid must be a non-empty string of at most 200 characters');
  if (!Number.isSafeInteger(row.kekVersion) || row.kekVersion < 1) throw new TypeError('kekVersion must be a positive integer');
  if (!Buffer.isBuffer(row.nonce) || !Buffer.isBuffer(row.ciphertext)) throw new TypeError('nonce and ciphertext must be Buffers');
}

export function checkKekRow(row: KekRow): void {
  if (!Number.isSafeInteger(row.version) || row.version < 1) throw new TypeError('version must be a positive integer');
  if (!Buffer.isBuffer(row.checkNonce) || !Buffer.isBuffer(row.checkCiphertext)) throw new TypeError('checkNonce and checkCiphertext must be Buffers');
}
