/**
 * `KeySecretStore` on PostgreSQL (tables: KEY_SECRET_SCHEMA in ./sub-store-schema.ts); the semantics of
 * ../sqlite-key-secret-store.ts. Where SQLite's single writer makes "write only under the current master-key
 * version" one atomic statement, PostgreSQL needs a row lock: `put` reads that version FOR SHARE, so a rotation
 * (whose first step, `retireKek`, updates the same row) waits for the put to commit and then re-encrypts its row,
 * or — if the rotation locked first — the put waits, re-reads the row as the rotation left it (retired) and
 * writes nothing.
 */
import { checkKekRow, checkKeySecretRow, type KekRow, type KeySecretRow, type KeySecretStore } from '../key-secret-store';
import { columns, type SqlRunner } from './sub-store-sql';

const COLUMNS = columns({ kid: 'kid', kekVersion: 'kek_version', nonce: 'nonce', ciphertext: 'ciphertext', createdAt: 'created_at' });
const KEK_COLUMNS = columns({ version: 'version', checkNonce: 'check_nonce', checkCiphertext: 'check_ciphertext', createdAt: 'created_at', retiredAt: 'retired_at' });

export class PgKeySecretStore implements KeySecretStore {
  constructor(private readonly db: SqlRunner) {}

  async put(row: KeySecretRow): Promise<boolean> {
    checkKeySecretRow(row);
    const written = await this.db.run(
      `WITH current AS (SELECT version FROM key_encryption_keys WHERE version = $2 AND retired_at IS NULL FOR SHARE)
       INSERT INTO key_secrets (kid, kek_version, nonce, ciphertext, created_at) SELECT $1, version, $3, $4, $5 FROM current
       ON CONFLICT (kid) DO UPDATE SET kek_version = EXCLUDED.kek_version, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,
         created_at = EXCLUDED.created_at`,
      [row.kid, row.kekVersion, row.nonce, row.ciphertext, row.createdAt],
    );
    return written === 1;
  }

  async get(kid: string): Promise<KeySecretRow | undefined> {
    return (await this.db.rows<KeySecretRow>(`SELECT ${COLUMNS} FROM key_secrets WHERE kid = $1`, [kid]))[0];
  }

  async delete(kid: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM key_secrets WHERE kid = $1', [kid])) === 1;
  }

  list(): Promise<KeySecretRow[]> {
    // COLLATE "C": kid order in bytes, as SQLite's BINARY, whatever the database's collation.
    return this.db.rows<KeySecretRow>(`SELECT ${COLUMNS} FROM key_secrets ORDER BY kid COLLATE "C"`);
  }

  async count(): Promise<number> {
    return (await this.db.rows<{ n: number }>('SELECT count(*) AS n FROM key_secrets'))[0]!.n;
  }

  listKeks(): Promise<KekRow[]> {
    return this.db.rows<KekRow>(`SELECT ${KEK_COLUMNS} FROM key_encryption_keys ORDER BY version`);
  }

  async insertKek(row: KekRow): Promise<boolean> {
    checkKekRow(row);
    const written = await this.db.run(
      `INSERT INTO key_encryption_keys (version, check_nonce, check_ciphertext, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (version) DO NOTHING`,
      [row.version, row.checkNonce, row.checkCiphertext, row.createdAt, row.retiredAt],
    );
    return written === 1;
  }

  async retireKek(version: number, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE key_encryption_keys SET retired_at = $1 WHERE version = $2 AND retired_at IS NULL', [at, version])) === 1;
  }
}
