/** `KeySecretStore` on the SqliteStore's connection, with its statement cache (see SqliteStore.q). */
import type Database from 'better-sqlite3';
import { checkKekRow, checkKeySecretRow, type KekRow, type KeySecretRow, type KeySecretStore } from './key-secret-store';
import { guarded } from './sqlite-guarded';

const COLUMNS = 'kid, kek_version AS kekVersion, nonce, ciphertext, created_at AS createdAt';
const KEK_COLUMNS = 'version, check_nonce AS checkNonce, check_ciphertext AS checkCiphertext, created_at AS createdAt, retired_at AS retiredAt';

export class SqliteKeySecretStore implements KeySecretStore {
  /** @param q prepares a statement once and caches it (the owning store's cache). */
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  async put(row: KeySecretRow): Promise<boolean> {
    checkKeySecretRow(row);
    // One statement: the current-version test and the write cannot be separated (SQLite has one writer).
    const result = guarded(() => this.q(`INSERT INTO key_secrets (kid, kek_version, nonce, ciphertext, created_at)
      SELECT @kid, @kekVersion, @nonce, @ciphertext, @createdAt WHERE EXISTS
        (SELECT 1 FROM key_encryption_keys WHERE version = @kekVersion AND retired_at IS NULL)
      ON CONFLICT (kid) DO UPDATE SET kek_version = excluded.kek_version, nonce = excluded.nonce,
        ciphertext = excluded.ciphertext, created_at = excluded.created_at`).run(row));
    return result.changes === 1;
  }

  async get(kid: string): Promise<KeySecretRow | undefined> {
    return this.q(`SELECT ${COLUMNS} FROM key_secrets WHERE kid = ?`).get(kid) as KeySecretRow | undefined;
  }

  async delete(kid: string): Promise<boolean> {
    return guarded(() => this.q('DELETE FROM key_secrets WHERE kid = ?').run(kid)).changes === 1;
  }

  async list(): Promise<KeySecretRow[]> {
    return this.q(`SELECT ${COLUMNS} FROM key_secrets ORDER BY kid`).all() as KeySecretRow[];
  }

  async count(): Promise<number> {
    return (this.q('SELECT count(*) AS n FROM key_secrets').get() as { n: number }).n;
  }

  async listKeks(): Promise<KekRow[]> {
    return this.q(`SELECT ${KEK_COLUMNS} FROM key_encryption_keys ORDER BY version`).all() as KekRow[];
  }

  async insertKek(row: KekRow): Promise<boolean> {
    checkKekRow(row);
    const result = guarded(() => this.q(`INSERT INTO key_encryption_keys (version, check_nonce, check_ciphertext, created_at, retired_at)
      VALUES (@version, @checkNonce, @checkCiphertext, @createdAt, @retiredAt) ON CONFLICT (version) DO NOTHING`).run(row));
    return result.changes === 1;
  }

  async retireKek(version: number, at: number): Promise<boolean> {
    const result = guarded(() => this.q('UPDATE key_encryption_keys SET retired_at = ? WHERE version = ? AND retired_at IS NULL').run(at, version));
    return result.changes === 1;
  }
}
