/**
 * A start refused for lack of a keychain leaves nothing behind (it left a warden.db, which the next start
 * then took for an install): a directory it created is gone, a directory it found empty is empty again, and
 * an existing install keeps its database. The keychain is made unavailable by pointing the child's D-Bus
 * session at nothing, as test/integration/keychain.test.ts does.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWarden, type WardenOptions } from '../../src/main/app';
import { runServeProcess } from '../helpers/serve-process';

const scratch: string[] = [];
afterEach(async () => {
  for (const dir of scratch.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function sandbox(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'warden-failed-start-'));
  scratch.push(dir);
  return dir;
}

/** No Secret Service: the keychain probe fails at once. */
const noKeychain = (home: string): NodeJS.ProcessEnv => ({ HOME: home, XDG_RUNTIME_DIR: home, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' });

async function refusedForKeychain(dataDir: string, home: string): Promise<void> {
  const result = await runServeProcess(['--data-dir', dataDir, '--port', '0', '--key-store', 'keychain'], noKeychain(home));
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(/keychain/i);
  expect(result.stderr).toContain('--key-store memory');
}

const exists = (file: string) => stat(file).then(() => true, () => false);

describe('a start refused for lack of a keychain', () => {
  it('removes the data directory it created, warden.db and all', async () => {
    const root = await sandbox();
    const dataDir = path.join(root, 'new', 'data');
    await refusedForKeychain(dataDir, root);
    expect(await exists(path.join(dataDir, 'warden.db'))).toBe(false);
    expect(await exists(path.join(root, 'new'))).toBe(false);
  }, 60_000);

  it('leaves a directory it found empty as empty as it was', async () => {
    const root = await sandbox();
    const dataDir = path.join(root, 'data');
    await mkdir(dataDir);
    await refusedForKeychain(dataDir, root);
    expect(await readdir(dataDir)).toEqual([]);
  }, 60_000);

  it('keeps an existing install as it was', async () => {
    const root = await sandbox();
    const dataDir = path.join(root, 'data');
    const install = await startWarden({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: false } as WardenOptions);
    await install.close();
    const before = await readFile(path.join(dataDir, 'warden.db'));
    const token = await readFile(path.join(dataDir, 'admin-token'), 'utf8');
    await refusedForKeychain(dataDir, root);
    expect(await readFile(path.join(dataDir, 'warden.db'))).toEqual(before);
    expect(await readFile(path.join(dataDir, 'admin-token'), 'utf8')).toBe(token);
  }, 60_000);
});
