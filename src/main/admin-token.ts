/**
 * The bootstrap admin token: DIR/admin-token by default, or `--admin-token-file FILE` shared by every instance
 * (docs/operations.md "The admin token", docs/keys.md "The admin token for several instances").
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, link, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { WardenError } from '../shared/errors';
import { fsFailure } from './fs-failure';
import { sha256 } from './http/admin-auth';
import type { Store } from './store/store';

export const ADMIN_TOKEN_FILE = 'admin-token';
const ADMIN_TOKEN = /^[A-Za-z0-9_-]{43}$/;

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Makes sure the admin token file (DIR/admin-token, or `--admin-token-file FILE`) holds the admin secret whose
 * SHA-256 the store knows. A matching token is kept (scripts keep working across restarts). A missing file
 * mints 256 fresh random bits (mode 0600): the hash is committed durably first, then the file is written and
 * moved into place, so a crash in between leaves no file and the next start mints again. A file that is empty,
 * not 43 base64url characters, or whose hash differs from the store's refuses the start: replacing it would
 * silently lock out whoever holds the real token.
 *
 * `--admin-token-file` is shared by every instance (docs/keys.md): it is published with link(2), which fails
 * when the name exists, so of two instances minting at once one file wins and the other adopts it; it is never
 * chmod-ed or deleted (it may be a read-only secret mount, or another instance's), and a file that group or
 * others can read is used with a warning, not refused: Docker and Kubernetes mount secrets 0444/0644.
 */
export async function ensureAdminToken(dataDir: string, store: Store, warn?: (line: string) => void, tokenFile?: string): Promise<{ path: string; hash: Buffer }> {
  const shared = tokenFile !== undefined;
  const file = tokenFile ?? path.join(dataDir, ADMIN_TOKEN_FILE);
  const existing = await readToken(file);
  if (existing !== undefined) return useToken(file, existing, store, shared, warn, false);
  const token = randomBytes(32).toString('base64url');
  const hash = sha256(token);
  const storedHash = await store.getSetting('admin_token_hash');
  await store.transaction(() => store.putSetting('admin_token_hash', hash.toString('hex')), { durable: true });
  const published = await writeToken(file, token, shared);
  if (!published) {
    // Another instance created the shared file meanwhile: its token is the deployment's (ours was never shown).
    const theirs = await readToken(file);
    if (theirs === undefined) throw new WardenError('storage_error', `The admin token file ${file} appeared and vanished while this start created it; start again.`);
    return useToken(file, theirs, store, shared, warn, true);
  }
  if (storedHash) warn?.(`A new admin token was written to ${file} (the file was missing); the previous token no longer works.`);
  return { path: file, hash };
}

/** The file's trimmed text, or undefined when it does not exist. */
async function readToken(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsFailure(error, `Cannot read the admin token ${file}`);
  }
}

/** Checks an existing token against the store; `adopt`: our own hash was just replaced by a racing instance's file. */
async function useToken(file: string, token: string, store: Store, shared: boolean, warn: ((line: string) => void) | undefined, adopt: boolean): Promise<{ path: string; hash: Buffer }> {
  const recover = `Restore the file, or delete it to mint a new admin token at the next start (scripts holding the old one stop working).`;
  if (token.length === 0) throw new WardenError('storage_error', `The admin token file ${file} is empty (it must hold 43 base64url characters). ${recover}`);
  if (!ADMIN_TOKEN.test(token)) {
    throw new WardenError('storage_error', `The admin token file ${file} is garbled (it must hold 43 base64url characters, ${token.length} found). ${recover}`);
  }
  const hash = sha256(token);
  const storedHash = await store.getSetting('admin_token_hash');
  if (storedHash && hash.toString('hex') !== storedHash && !adopt) {
    throw new WardenError('storage_error', `The admin token file ${file} does not hold the admin token this database knows. ${recover}`);
  }
  if (storedHash !== hash.toString('hex')) await store.transaction(() => store.putSetting('admin_token_hash', hash.toString('hex')), { durable: true });
  if (!shared) {
    await chmod(file, 0o600);
  } else {
    const mode = (await stat(file)).mode & 0o777;
    if ((mode & 0o077) !== 0) warn?.(`Warning: the admin token file ${file} can be read by other users (mode ${mode.toString(8)}); chmod 600 it unless it is a read-only secret mount.`);
  }
  return { path: file, hash };
}

/**
 * Writes `token` to a temporary file beside `file` (0600, synced) and moves it into place: rename for
 * DIR/admin-token, link for a shared file (false when the name exists: another instance published first).
 */
async function writeToken(file: string, token: string, shared: boolean): Promise<boolean> {
  const dir = path.dirname(file);
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    // 'wx' creates a new file, so the 0600 mode applies from the first byte; rename/link make the switch
    // atomic, and the syncs make the file and its name survive a power cut, as the hash in the database does.
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (shared) {
      try {
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw error;
      }
    } else {
      await rename(temp, file);
    }
    await syncDirectory(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && shared) {
      throw new WardenError('storage_error', `Cannot write the admin token ${file}: its directory ${dir} does not exist.`);
    }
    throw fsFailure(error, `Cannot write the admin token ${file}`);
  } finally {
    try {
      // After a link the temporary name is a second name of the same file; after a rename it is gone already.
      unlinkSync(temp);
    } catch {
      // Never created, or renamed.
    }
  }
}
