/**
 * `--admin-token-file FILE`: the bootstrap admin token lives in FILE (not DIR/admin-token), created 0600 when
 * missing, reused when present, so that every instance given the same FILE accepts the same token.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWardenArgs, startWarden, type RunningWarden, type WardenOptions } from '../../src/main/app';
import { WardenError } from '../../src/shared/errors';

describe('--admin-token-file', () => {
  let root: string;
  let tokenFile: string;
  let warnings: string[];
  const running: RunningWarden[] = [];
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-admin-token-file-'));
    tokenFile = path.join(root, 'secrets', 'admin-token');
    await mkdir(path.dirname(tokenFile));
    warnings = [];
  });
  afterEach(async () => {
    for (const warden of running.splice(0)) await warden.close();
    await rm(root, { recursive: true, force: true });
  });

  const start = async (name: string, over: Partial<WardenOptions> = {}) => {
    const warden = await startWarden({
      dataDir: path.join(root, name), port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: false,
      adminTokenFile: tokenFile, warn: (line) => warnings.push(line), ...over,
    });
    running.push(warden);
    return warden;
  };
  const adminStatus = async (warden: RunningWarden, token: string) =>
    (await fetch(`${warden.url}/admin/rpc/listKeys`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' })).status;
  const refusal = (name: string) =>
    start(name).then(
      () => {
        throw new Error('not refused');
      },
      (error: unknown) => {
        expect(error).toBeInstanceOf(WardenError);
        return (error as WardenError).message;
      },
    );

  it('is created 0600 where FILE says (not in the data directory), and its token opens the admin API', async () => {
    const warden = await start('a');
    expect(warden.adminTokenPath).toBe(tokenFile);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(root, 'a', 'admin-token'))).toBe(false);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await adminStatus(warden, token)).toBe(200);
    expect(await adminStatus(warden, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBe(401);
    expect(warnings).toEqual([]);
  });

  it('is reused by a restart and shared by two instances running at once', async () => {
    const first = await start('a');
    const token = (await readFile(tokenFile, 'utf8')).trim();
    await first.close();
    running.length = 0;
    const again = await start('a');
    const other = await start('b');
    expect((await readFile(tokenFile, 'utf8')).trim()).toBe(token);
    expect(await adminStatus(again, token)).toBe(200);
    expect(await adminStatus(other, token)).toBe(200);
  });

  it('two first starts at once end with one token that both accept', async () => {
    const [a, b] = await Promise.all([start('a'), start('b')]);
    const token = (await readFile(tokenFile, 'utf8')).trim();
    expect(await adminStatus(a, token)).toBe(200);
    expect(await adminStatus(b, token)).toBe(200);
    expect(await readdir(path.dirname(tokenFile))).toEqual(['admin-token']);
  });

  it('takes a token the operator wrote, warning (not refusing) when others can read it, and never chmods it', async () => {
    const token = 'A'.repeat(10) + 'b_-'.repeat(11);
    await writeFile(tokenFile, `${token}\n`);
    await chmod(tokenFile, 0o644);
    const warden = await start('a');
    expect(await adminStatus(warden, token)).toBe(200);
    expect(warnings).toEqual([`Warning: the admin token file ${tokenFile} can be read by other users (mode 644); chmod 600 it unless it is a read-only secret mount.`]);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o644);
  });

  it('refuses an empty or short file, and one that does not hold the token this database knows', async () => {
    await writeFile(tokenFile, '\n', { mode: 0o600 });
    expect(await refusal('a')).toMatch(/^The admin token file .* is empty \(it must hold 43 base64url characters\)/);
    await writeFile(tokenFile, 'short', { mode: 0o600 });
    expect(await refusal('a')).toMatch(/is garbled \(it must hold 43 base64url characters, 5 found\)/);
    await rm(tokenFile);
    await (await start('a')).close();
    running.length = 0;
    await writeFile(tokenFile, 'Z'.repeat(43), { mode: 0o600 });
    expect(await refusal('a')).toMatch(/does not hold the admin token this database knows\. Restore the file, or delete it to mint a new admin token/);
  });

  it('is a flag of the headless service (resolved to an absolute path); --demo refuses it', () => {
    expect(parseWardenArgs(['--data-dir', root, '--admin-token-file', 'rel/admin-token'], {}).adminTokenFile).toBe(path.resolve('rel/admin-token'));
    expect(() => parseWardenArgs(['--demo', '--admin-token-file', tokenFile], {})).toThrow(/--demo keeps its admin token/);
  });
});
