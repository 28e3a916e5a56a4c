/**
 * `npm run rotate-master-key` as an operator runs it (a real process, tsx): it re-encrypts the data
 * directory's private keys under the new master key, after which a start with the old key is refused and a
 * start with the new one has every key; it refuses while a Token Warden serves the directory, and a wrong key.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../src/shared/errors';
import { REPO_ROOT } from '../helpers/serve-process';
import { startTestWarden } from '../helpers/warden';

function rotate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/main/rotate-master-key-cli.ts', ...args], { cwd: REPO_ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('npm run rotate-master-key', () => {
  let root: string;
  let dataDir: string;
  let oldFile: string;
  let newFile: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-rotate-cli-'));
    dataDir = path.join(root, 'data');
    oldFile = path.join(root, 'old.key');
    newFile = path.join(root, 'new.key');
    await writeFile(oldFile, randomBytes(32).toString('base64'), { mode: 0o600 });
    await writeFile(newFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const start = (masterKeyFile: string) => startTestWarden({ dataDir, keyStore: 'database', masterKeyFile, keepDir: true, warn: () => {} });
  const kidsOf = async (warden: Awaited<ReturnType<typeof start>>) => (await warden.admin('listKeys', {})).map((key) => key.kid).sort();

  it('re-encrypts every key: the old master key is then refused, the new one starts with the same keys', async () => {
    const first = await start(oldFile);
    const kids = await kidsOf(first);
    // Refused while the directory is served: the running instance would go on sealing under the old key.
    const busy = await rotate(['--data-dir', dataDir, '--master-key-file', oldFile, '--new-master-key-file', newFile]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/^token-warden: The data directory .* is in use by another Token Warden/);
    await first.close();

    const wrong = await rotate(['--data-dir', dataDir, '--master-key-file', newFile, '--new-master-key-file', oldFile]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^token-warden: The current master key given is not the one this database's private keys are encrypted with/);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);

    const done = await rotate(['--data-dir', dataDir, '--master-key-file', oldFile, '--new-master-key-file', newFile]);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('Master key rotated: 2 private keys re-encrypted under master-key version 2 (version 1 is retired and refused). Start Token Warden with the new master key.\n');

    const refused = await start(oldFile).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(WardenError);
    expect((refused as WardenError).message).toMatch(/^The master key file .*old\.key is master-key version 1, which a rotation retired at /);
    const after = await start(newFile);
    expect(await kidsOf(after)).toEqual(kids);
    await after.close();
  });

  it('refuses a missing new key and a directory without a database, changing nothing', async () => {
    const missing = await rotate(['--data-dir', dataDir, '--master-key-file', oldFile]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^token-warden: --new-master-key-file FILE is required/);
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    const nothing = await rotate(['--data-dir', empty, '--master-key-file', oldFile, '--new-master-key-file', newFile]);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/holds no Token Warden database: there is nothing to rotate/);
    expect(await readdir(empty)).toEqual([]);
  });
});
