/**
 * Damage is found at start, not by the first login that reads it, and every storage failure names its cause
 * (damage, permissions, disk full, I/O, locked) with the SQL text kept in `detail`.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startWarden } from '../../src/main/app';
import { CRITICAL_TABLES, FULL_CHECK_MAX_BYTES, openStore, toStoreError } from '../../src/main/store/index';
import { startCheckpointer } from '../../src/main/store/checkpointer';
import { assertIntact } from '../../src/main/store/integrity';
import { isWardenError, type WardenError } from '../../src/shared/errors';
import { REPO_ROOT } from '../helpers/serve-process';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await chmod(dir, 0o700).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-damage-'));
  dirs.push(dir);
  return dir;
}

const options = (dataDir: string) => ({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory' as const, consoleDir: null, demo: false });

/** A used data directory: a user logged in, so every table has rows; stopped cleanly (the log is checkpointed). */
async function usedDataDir(): Promise<string> {
  const dir = await tempDir();
  const warden = await startWarden(options(dir));
  const { id } = await warden.engine.admin.createUser({ username: 'ana', password: 'password-123456' }, { actor: 'admin', role: 'owner', adminId: null });
  await warden.engine.admin.createClient({ clientId: 'app', kind: 'public', name: 'App', grantTypes: ['password', 'refresh_token'] }, { actor: 'admin', role: 'owner', adminId: null });
  await warden.engine.login({ username: 'ana', password: 'password-123456', clientId: 'app', device: { name: 'phone', userAgent: 'ua', ip: '127.0.0.1' }, rememberMe: false });
  expect(id).toBeTruthy();
  await warden.close();
  return dir;
}

/** Overwrites the root page of `table` with garbage, as a bad sector or a stray write would. */
async function damageTable(file: string, table: string): Promise<void> {
  const db = new Database(file, { readonly: true });
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
  } finally {
    await handle.close();
  }
}

async function startFailure(dataDir: string): Promise<WardenError> {
  try {
    const warden = await startWarden(options(dataDir));
    await warden.close();
  } catch (error) {
    if (isWardenError(error)) return error;
    throw error;
  }
  throw new Error('the start succeeded');
}

describe('damage is refused at start', () => {
  for (const table of ['users', 'refresh_tokens']) {
    it(`a garbage page in the ${table} table refuses the start, naming the damage and the table`, async () => {
      const dir = await usedDataDir();
      const file = path.join(dir, 'warden.db');
      await damageTable(file, table);
      const before = (await stat(file)).mtimeMs;
      const error = await startFailure(dir);
      expect(error.code).toBe('storage_error');
      expect(error.message).toContain(`The data file ${file} is damaged: the integrity check found`);
      expect(error.message).toContain(`in the ${table} table`);
      expect(error.message).toContain('restore it from a backup');
      // The SQL-level findings are in detail, not in the message.
      expect(error.detail).toBeTruthy();
      expect(error.message).not.toContain(error.detail!);
      expect((await stat(file)).mtimeMs).toBe(before);
      expect(() => openStore(file)).toThrow(/is damaged/);
    });
  }
});

describe('the bound for big files', () => {
  it('checks a file over FULL_CHECK_MAX_BYTES by its critical tables only: users damage refused, refresh-token damage left to run time', async () => {
    const dir = await usedDataDir();
    const file = path.join(dir, 'warden.db');
    await damageTable(file, 'refresh_tokens');
    const db = new Database(file, { readonly: true });
    try {
      const big = FULL_CHECK_MAX_BYTES + 1;
      expect(CRITICAL_TABLES).toContain('users');
      expect(CRITICAL_TABLES).not.toContain('refresh_tokens');
      expect(() => assertIntact(db, file, big)).not.toThrow();
      expect(() => assertIntact(db, file, FULL_CHECK_MAX_BYTES)).toThrow(/damaged: .* in the refresh_tokens table/);
    } finally {
      db.close();
    }
    await damageTable(file, 'users');
    const again = new Database(file, { readonly: true });
    try {
      expect(() => assertIntact(again, file, FULL_CHECK_MAX_BYTES + 1)).toThrow(/damaged: .* in the refresh_tokens, users tables/);
    } finally {
      again.close();
    }
  });
});

describe('every storage failure names its cause', () => {
  it('damage, permissions, disk full: real SQLite errors mapped, the SQL detail kept out of the message', async () => {
    const dir = await usedDataDir();
    const file = path.join(dir, 'warden.db');

    const readOnly = new Database(file, { readonly: true });
    const readonlyError = toStoreError(catchSqlite(() => readOnly.prepare("INSERT INTO settings (key, value) VALUES ('x', 'y')").run())) as WardenError;
    readOnly.close();
    expect(readonlyError.message).toBe('The database could not complete the operation: permission denied: check that this user may read and write the data directory and its files.');
    expect(readonlyError.detail).toMatch(/^SQLITE_READONLY/);

    const full = new Database(file);
    const pages = full.pragma('page_count', { simple: true }) as number;
    full.pragma(`max_page_count = ${pages}`);
    const fullError = toStoreError(catchSqlite(() => full.prepare("INSERT INTO settings (key, value) VALUES ('big', ?)").run('x'.repeat(1_000_000)))) as WardenError;
    full.close();
    expect(fullError.message).toBe('The database could not complete the operation: the disk is full.');
    expect(fullError.detail).toMatch(/^SQLITE_FULL/);

    await damageTable(file, 'users');
    const damaged = new Database(file);
    const corruptError = toStoreError(catchSqlite(() => damaged.prepare('SELECT * FROM users').all())) as WardenError;
    damaged.close();
    expect(corruptError.message).toBe('The database could not complete the operation: the database file is damaged (restore it from a backup).');
    expect(corruptError.detail).toMatch(/^SQLITE_CORRUPT/);
  });

  it('a failed background checkpoint names its cause before SQLite\'s own text', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'warden.db');
    const handle = await open(file, 'w');
    await handle.write(Buffer.alloc(8192, 0x5a));
    await handle.close();
    const errors: string[] = [];
    const first = new Promise<void>((resolve) => {
      const checkpointer = startCheckpointer(file, undefined, {
        onError: (message) => {
          errors.push(message);
          checkpointer.stop();
          resolve();
        },
        onGone: () => resolve(),
      });
    });
    await first;
    expect(errors[0]).toMatch(/^the database file is damaged \(restore it from a backup\) \(.*not a database.*\)$/);
  });

  /**
   * Root ignores permission bits (CAP_DAC_OVERRIDE), and the tests run as root here: the service is started
   * through `setpriv` without that capability, so the read-only directory binds as it would for any user.
   */
  it('a read-only data directory is refused at start with the cause named, used or new', async () => {
    const used = await usedDataDir();
    const fresh = path.join(await tempDir(), 'new');
    await mkdir(fresh, { mode: 0o700 });
    for (const dir of [used, fresh]) await chmod(dir, 0o500);
    for (const dir of [used, fresh]) {
      const run = await serveWithoutOverride(dir);
      expect(run.code).toBe(1);
      // SQLite will not take a write lock in a directory where it could not create a journal.
      expect(run.stderr.trim().split('\n')).toEqual([`token-warden: Cannot lock the data directory ${dir}: permission denied: check that this user may read and write the data directory and its files.`]);
    }
  });

  it('a read-only database file in a writable directory is refused at start with the cause named', async () => {
    const used = await usedDataDir();
    await chmod(path.join(used, 'warden.db'), 0o400);
    const run = await serveWithoutOverride(used);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^token-warden: The data file .*warden\.db could not be opened: permission denied/)]);
  });
});

function catchSqlite(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected SQLite to fail');
}

/** `npm run serve -- --data-dir DIR` with permission bits binding even for root (see above). */
function serveWithoutOverride(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const node = [process.execPath, '--import', 'tsx', 'src/main/headless.ts', '--data-dir', dataDir, '--key-store', 'memory'];
  const [command, ...args] = process.getuid?.() === 0 ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--', ...node] : node;
  const child = spawn(command!, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    // A start that wrongly succeeds would never exit: end it, and the assertions on its exit code fail.
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
