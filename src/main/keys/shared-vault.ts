/**
 * Several instances on one database need one vault: every instance signs with the key the database calls
 * active, so every instance must hold its private half. `--key-store database` keeps the private halves in the
 * shared database (encrypted under the one master key, docs/keys.md); an OS keychain belongs to one machine and
 * the memory store to one process. An instance whose vault lacks the private half of a committed active or next
 * key would, at start, replace that key as lost (key-startup's repair): under the other instances' feet, which
 * then could no longer sign. So that start is refused here, with what to do instead.
 */
import { WardenError } from '../../shared/errors';
import type { Store } from '../store/store';
import type { KeyVault } from './vault';

/**
 * On a shared store (PostgreSQL) with a vault other than the database: refuses when the database already has
 * active or next keys whose private halves this vault does not hold; otherwise returns a warning to print.
 */
export async function checkSharedVault(store: Store, vault: KeyVault): Promise<string | undefined> {
  if (!store.changes.shared || vault.kind === 'database') return undefined;
  const signing = (await store.listKeys()).filter((key) => key.status === 'active' || key.status === 'next');
  const missing: string[] = [];
  for (const key of signing) if ((await vault.get(key.kid)) === undefined) missing.push(key.kid);
  const where = vault.kind === 'memory' ? 'the memory key store (this process only)' : "this machine's OS keychain";
  if (missing.length > 0) {
    throw new WardenError('invalid_input', `The database's signing keys (${missing.join(', ')}) have private halves that are not in ${where}: `
      + 'another instance made them. Start every instance on this database with --key-store database and the same master key '
      + '(--master-key-file or TOKEN_WARDEN_MASTER_KEY), so that they all hold the same keys (docs/postgres.md, Several instances).');
  }
  return `Warning: --key-store ${vault.kind} with --database: the private signing keys are in ${where}, so no other instance can use this database (it would be refused at start). For several instances use --key-store database.`;
}
