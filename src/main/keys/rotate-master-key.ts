/**
 * Rotating the master key of `--key-store database` (docs/keys.md): in ONE durable transaction the current
 * version is retired, the next version's key-check record is written under the new key, and every sealed
 * private key is opened with the old key and sealed again with the new one. A failure or a crash at any point
 * before the commit leaves the database exactly as it was (old key valid, nothing re-encrypted); after it, the
 * old key is refused at start ("retired by a rotation") and the new one opens everything.
 *
 * The order inside the transaction matters on PostgreSQL: retiring the current version first takes its row
 * lock, so a concurrent `put` (which checks that version FOR SHARE) either committed before, and is
 * re-encrypted here, or waits and is then refused as "rotated" (see KeySecretStore.put).
 */
import { WardenError } from '../../shared/errors';
import type { Store } from '../store/store';
import { currentKekFor, makeKekRow, openRow, opensKek, sealRow } from './database-vault';
import type { MasterKey } from './master-key';

export interface RotationResult {
  /** The retired version and the new current one. */
  from: number;
  to: number;
  /** How many sealed private keys were re-encrypted. */
  keys: number;
}

/**
 * Re-encrypts every private key from `oldKey` to `newKey`.
 * @throws WardenError `invalid_input` when `oldKey` is not the current master key, or `newKey` is the same key;
 *   `storage_error` when a row fails authentication (nothing is changed then).
 */
export async function rotateMasterKey(store: Store, oldKey: MasterKey, newKey: MasterKey, now: number): Promise<RotationResult> {
  // Async already, so that callers await it; the SQLite transaction itself runs synchronously within the call.
  return store.transaction(async () => {
    const keks = await store.keySecrets.listKeks();
    if (keks.length === 0) throw new WardenError('invalid_input', 'This database has no master key yet (no start with --key-store database has run on it): there is nothing to rotate.');
    const current = currentKekFor(oldKey, keks, 'the current master key given');
    if (opensKek(newKey, current)) throw new WardenError('invalid_input', 'The new master key is the current one; give a new key (openssl rand -base64 32).');
    const to = Math.max(...keks.map((row) => row.version)) + 1;
    if (!await store.keySecrets.retireKek(current.version, now)) throw new WardenError('conflict', 'Another rotation of the master key committed first; run this again with the current key.');
    await store.keySecrets.insertKek(makeKekRow(newKey, to, now));
    const rows = await store.keySecrets.list();
    for (const row of rows) {
      if (row.kekVersion !== current.version) {
        throw new WardenError('storage_error', `The stored private key ${row.kid} is sealed under master-key version ${row.kekVersion}, not the current ${current.version}: the database was altered or damaged. Nothing was rotated.`);
      }
      const privateJwk = openRow(oldKey, row);
      if (!await store.keySecrets.put(sealRow(newKey, row.kid, to, privateJwk, row.createdAt))) throw new Error('rotation: the new master-key version is not current');
    }
    return { from: current.version, to, keys: rows.length };
  }, { durable: true });
}
