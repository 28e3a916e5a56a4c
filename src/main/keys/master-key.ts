/**
 * The master key of `--key-store database`: the key-encryption key (KEK) that seals every private signing JWK
 * the database keeps (./database-vault.ts, docs/keys.md). It is 32 random bytes written as base64 (standard or
 * URL alphabet, padding optional) or as 64 hex digits, read from `--master-key-file FILE` or the
 * `TOKEN_WARDEN_MASTER_KEY` environment variable. A short, malformed or visibly non-random key is refused
 * with a message that names where it came from; the key itself never appears in a message, a log or a print
 * (`MasterKey` and `SecretText` render as "[redacted]").
 *
 * Sealing is AES-256-GCM straight under the KEK with a fresh random 96-bit nonce per seal and the caller's
 * associated data (the kid and KEK version for a key row). No per-key data key: a few dozen small JWKs per
 * install are far below GCM's random-nonce bound (2^32 seals per key), and a rotation re-encrypts them all
 * in one transaction anyway, so wrapped data keys would add a layer without saving any work.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { inspect } from 'node:util';
import { WardenError } from '../../shared/errors';

export const MASTER_KEY_ENV = 'TOKEN_WARDEN_MASTER_KEY';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** 32 random bytes show ~30 distinct values; fewer than 16 happens by chance with odds below 1e-15. */
const MIN_DISTINCT_BYTES = 16;
/** A key file is one line; anything much longer is not a key file (and is not read into memory whole). */
const MAX_FILE_BYTES = 1024;
const HOW_TO_MAKE = 'make one with `openssl rand -base64 32`';

/** Text that must never be shown: prints, logs and JSON see "[redacted]"; `reveal()` gives the text. */
export class SecretText {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  reveal(): string {
    return this.#text;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'SecretText [redacted]';
  }
}

/** A sealed value: the nonce, and the ciphertext with GCM's 16-byte tag appended. */
export interface Sealed {
  nonce: Buffer;
  ciphertext: Buffer;
}

/** GCM refused the value: wrong key, or nonce, ciphertext or associated data altered. Callers word it. */
export class SealBroken extends Error {
  constructor() {
    super('AES-256-GCM authentication failed');
    this.name = 'SealBroken';
  }
}

function invalid(message: string): WardenError {
  return new WardenError('invalid_input', message);
}

/** The 32 key bytes of `text` (one of the documented spellings), or a refusal naming `origin`. */
function decode(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw invalid(`${origin} is empty; the master key is 32 random bytes in base64 or hex (${HOW_TO_MAKE}).`);
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0) {
    bytes = Buffer.from(trimmed, 'hex');
  } else if (/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || /^[A-Za-z0-9_-]+={0,2}$/.test(trimmed)) {
    // The standard or the URL alphabet, never both mixed.
    bytes = Buffer.from(trimmed.replace(/=+$/, ''), /[_-]/.test(trimmed) ? 'base64url' : 'base64');
  }
  if (bytes === undefined) {
    throw invalid(`${origin} is not a master key: it must be 32 random bytes written as base64 or as 64 hex digits (${HOW_TO_MAKE}).`);
  }
  if (bytes.length < KEY_BYTES) {
    throw invalid(`${origin} is too short: it holds ${bytes.length} bytes and the master key is ${KEY_BYTES} random bytes (${HOW_TO_MAKE}).`);
  }
  if (bytes.length > KEY_BYTES) {
    throw invalid(`${origin} is too long: it holds ${bytes.length} bytes and the master key is exactly ${KEY_BYTES} random bytes (${HOW_TO_MAKE}).`);
  }
  const distinct = new Set(bytes).size;
  if (distinct < MIN_DISTINCT_BYTES) {
    throw invalid(`${origin} does not look random (its 32 bytes take only ${distinct} distinct values): use a key from a random generator (${HOW_TO_MAKE}).`);
  }
  return bytes;
}

export class MasterKey {
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.#key = createSecretKey(bytes);
    bytes.fill(0);
  }

  /**
   * Parses a master key. `origin` names the source in refusals (`the master key file /etc/…`).
   * @throws WardenError `invalid_input` for an empty, malformed, short, long or non-random key.
   */
  static fromText(text: string, origin: string): MasterKey {
    return new MasterKey(decode(text, origin));
  }

  /** A fresh random key (tests and the docs' examples). */
  static generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES));
  }

  /** Seals `plaintext` with a fresh random nonce, binding `aad` (not secret, not stored in the output). */
  seal(plaintext: Buffer, aad: Buffer): Sealed {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { nonce, ciphertext };
  }

  /** Opens a sealed value under the same `aad`. @throws SealBroken when GCM refuses it. */
  open(sealed: Sealed, aad: Buffer): Buffer {
    if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) throw new SealBroken();
    const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
    const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch {
      throw new SealBroken();
    }
  }

  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'MasterKey [redacted]';
  }
}

/** Where a master key comes from: at most one of a file and the environment variable's text. */
export interface MasterKeySource {
  file?: string;
  env?: SecretText;
}

/** A master key and how messages name where it came from. */
export interface LoadedMasterKey {
  key: MasterKey;
  origin: string;
}

/**
 * Reads the master key from `source`. A file readable by group or others is used with a warning (secret
 * mounts of Docker and Kubernetes are 0444/0644 and read-only; see docs/keys.md).
 * @throws WardenError `invalid_input`: no source, both sources, an unreadable or malformed file or variable.
 */
export async function loadMasterKey(source: MasterKeySource, warn: (line: string) => void, flag = '--master-key-file'): Promise<LoadedMasterKey> {
  if (source.file !== undefined && source.env !== undefined) {
    throw invalid(`Both ${flag} and ${MASTER_KEY_ENV} are set; give the master key one way only.`);
  }
  if (source.env !== undefined) return { key: MasterKey.fromText(source.env.reveal(), MASTER_KEY_ENV), origin: `the master key in ${MASTER_KEY_ENV}` };
  if (source.file === undefined) {
    throw invalid(`--key-store database needs the master key that encrypts the private keys: give ${flag} FILE or set ${MASTER_KEY_ENV} (32 random bytes in base64 or hex; ${HOW_TO_MAKE}).`);
  }
  const file = source.file;
  const origin = `The master key file ${file}`;
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw invalid(`${origin} is not a regular file.`);
    if (info.size > MAX_FILE_BYTES) throw invalid(`${origin} is ${info.size} bytes: not a master key (32 random bytes in base64 or hex, one line).`);
    if ((info.mode & 0o077) !== 0) {
      warn(`Warning: ${origin} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it unless it is a read-only secret mount.`);
    }
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof WardenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read by this user (permission denied)' : `cannot be read (${code ?? 'error'})`;
    throw invalid(`${origin} ${why}.`);
  }
  return { key: MasterKey.fromText(text, origin), origin: `the master key file ${file}` };
}
