/** `UnknownNameStore` on PostgreSQL (../unknown-name-store.ts; table in ./coordination-schema.ts, migration 6). */
import { createHash } from 'node:crypto';
import type { UnknownNameState, UnknownNameStore } from '../unknown-name-store';
import type { Db } from './db';

const hashOf = (name: string) => createHash('sha256').update(name, 'utf8').digest('hex');

export class PgUnknownNameStore implements UnknownNameStore {
  constructor(private readonly db: Db) {}

  get(name: string): Promise<UnknownNameState | undefined> {
    return this.db.row<UnknownNameState>('SELECT failed_logins AS "failedLogins", locked_until AS "lockedUntil" FROM unknown_login_names WHERE name_hash = $1', [hashOf(name)]);
  }

  async put(name: string, state: UnknownNameState, at: number): Promise<void> {
    await this.db.run(`INSERT INTO unknown_login_names (name_hash, failed_logins, locked_until, updated_at) VALUES ($1, $2, $3, $4)
      ON CONFLICT (name_hash) DO UPDATE SET failed_logins = excluded.failed_logins, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
    [hashOf(name), state.failedLogins, state.lockedUntil, at]);
  }

  purge(before: number): Promise<number> {
    return this.db.run('DELETE FROM unknown_login_names WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)', [before]);
  }
}
