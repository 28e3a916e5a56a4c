/**
 * `--key-store database` end to end on SQLite (a single-machine server without a keychain): the private keys
 * survive restarts sealed in the database, and a start is refused — with one clear line, never a stack trace —
 * when the master key is missing, malformed or not the database's.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseWardenArgs, startWarden, type WardenOptions } from '../../src/main/app';
import { RemoteAdminClient } from '../../src/main/deployments/remote-client';
import { SecretText } from '../../src/main/keys/master-key';
import { WardenError } from '../../src/shared/errors';
import { runServeProcess, startServeProcess } from '../helpers/serve-process';
import { startTestWarden } from '../helpers/warden';

const newKey = () => randomBytes(32).toString('base64');

describe('--key-store database', () => {
  let root: string;
  let dataDir: string;
  let keyFile: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'warden-keystore-db-'));
    dataDir = path.join(root, 'data');
    keyFile = path.join(root, 'master.key');
    await writeFile(keyFile, `${newKey()}\n`, { mode: 0o600 });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const options = (over: Partial<WardenOptions> = {}): Partial<WardenOptions> & { keepDir: boolean } => ({
    dataDir, keyStore: 'database', masterKeyFile: keyFile, keepDir: true, warn: () => {}, ...over,
  });
  const refusal = async (over: Partial<WardenOptions>): Promise<WardenError> => {
    const error = await startWarden({ dataDir, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'database', consoleDir: null, demo: false, warn: () => {}, ...over }).then(
      async (warden) => {
        await warden.close();
        throw new Error('the start was not refused');
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(WardenError);
    return error as WardenError;
  };

  it('keeps the signing keys across restarts, sealed in the database; the console is told "database"', async () => {
    const first = await startTestWarden(options());
    expect(first.warden.info.keyStore).toBe('database');
    const kids = (await first.admin('listKeys', {})).filter((key) => key.status === 'active' || key.status === 'next').map((key) => key.kid).sort();
    expect(kids).toHaveLength(2);
    const sealed = await first.warden.engine.store.keySecrets.list();
    expect(sealed.map((row) => row.kid).sort()).toEqual(kids);
    for (const row of sealed) expect(row.ciphertext.includes(Buffer.from('"d":'))).toBe(false);
    await first.close();
    // With a vault that lost them (memory), this start would replace both keys; the database gave them back.
    const second = await startTestWarden(options());
    const again = (await second.admin('listKeys', {})).filter((key) => key.status === 'active' || key.status === 'next').map((key) => key.kid).sort();
    expect(again).toEqual(kids);
    await second.close();
  });

  it('a key rotation seals the new next key and deletes the private half of the key that stopped signing', async () => {
    const warden = await startTestWarden(options());
    const live = async () => (await warden.admin('listKeys', {})).filter((key) => key.status === 'active' || key.status === 'next').map((key) => key.kid).sort();
    const before = await live();
    await warden.admin('rotateSigningKey', {});
    const after = await live();
    expect(after).not.toEqual(before);
    expect((await warden.warden.engine.store.keySecrets.list()).map((row) => row.kid).sort()).toEqual(after);
    await warden.close();
    const again = await startTestWarden(options());
    expect((await again.admin('listKeys', {})).filter((key) => key.status === 'active' || key.status === 'next').map((key) => key.kid).sort()).toEqual(after);
    await again.close();
  });

  it('a desktop console managing this deployment remotely is told "database" (not "in memory")', async () => {
    const warden = await startTestWarden(options());
    try {
      const remote = new RemoteAdminClient({ baseUrl: warden.baseUrl, tlsVerify: true, pinnedSha256: null, apiKey: warden.adminToken }, 5_000);
      const info = await remote.info();
      expect(info.ok && info.value.keyStore).toBe('database');
    } finally {
      await warden.close();
    }
  });

  it('takes the master key from TOKEN_WARDEN_MASTER_KEY too (parsed as a secret that prints redacted)', async () => {
    const text = newKey();
    const config = parseWardenArgs(['--data-dir', dataDir, '--key-store', 'database'], { TOKEN_WARDEN_MASTER_KEY: text });
    expect(config.masterKey).toBeInstanceOf(SecretText);
    expect(JSON.stringify(config)).not.toContain(text);
    const warden = await startTestWarden({ ...config, masterKeyFile: undefined, keepDir: true, warn: () => {} });
    expect(warden.warden.info.keyStore).toBe('database');
    await warden.close();
    expect((await refusal({ masterKey: new SecretText(newKey()) })).message).toMatch(/^The master key in TOKEN_WARDEN_MASTER_KEY is not the one this database's private keys are encrypted with/);
  });

  it('refuses a start without a master key, or with a malformed one, before it creates anything', async () => {
    const missing = await refusal({});
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toMatch(/^--key-store database needs the master key that encrypts the private keys: give --master-key-file FILE or set TOKEN_WARDEN_MASTER_KEY/);
    expect(existsSync(dataDir)).toBe(false);
    await writeFile(keyFile, 'correct horse battery staple\n');
    expect((await refusal({ masterKeyFile: keyFile })).message).toMatch(/^The master key file .*master\.key is not a master key: it must be 32 random bytes/);
    await writeFile(keyFile, randomBytes(16).toString('hex'));
    expect((await refusal({ masterKeyFile: keyFile })).message).toMatch(/is too short: it holds 16 bytes/);
    expect((await refusal({ masterKeyFile: path.join(root, 'nope') })).message).toMatch(/does not exist\.$/);
    expect(existsSync(dataDir)).toBe(false);
    expect(() => parseWardenArgs(['--master-key-file', keyFile], {})).toThrow('--master-key-file needs --key-store database.');
  });

  it('refuses a wrong master key and leaves the install as it was: the right key starts it afterwards', async () => {
    const first = await startTestWarden(options());
    const kids = (await first.admin('listKeys', {})).map((key) => key.kid).sort();
    await first.close();
    const wrongFile = path.join(root, 'wrong.key');
    await writeFile(wrongFile, newKey(), { mode: 0o600 });
    const wrong = await refusal({ masterKeyFile: wrongFile });
    expect(wrong.code).toBe('invalid_input');
    expect(wrong.message).toMatch(new RegExp(`^The master key file ${wrongFile.replaceAll('.', '\\.')} is not the one this database's private keys are encrypted with`));
    const again = await startTestWarden(options());
    expect((await again.admin('listKeys', {})).map((key) => key.kid).sort()).toEqual(kids);
    await again.close();
  });

  it('the headless process never prints the master key: not from the variable, not from the file', async () => {
    const text = newKey();
    const fromEnv = await startServeProcess(['--data-dir', dataDir, '--port', '0', '--key-store', 'database'], { env: { TOKEN_WARDEN_MASTER_KEY: text } });
    expect(await fromEnv.stop()).toBe(0);
    const fileText = (await readFile(keyFile, 'utf8')).trim();
    const fromFile = await startServeProcess(['--data-dir', path.join(root, 'other'), '--port', '0', '--key-store', 'database', '--master-key-file', keyFile]);
    expect(await fromFile.stop()).toBe(0);
    for (const [run, secret] of [[fromEnv, text], [fromFile, fileText]] as const) {
      const output = `${run.stdout.join('\n')}\n${run.stderr()}`;
      expect(output).toContain('Token Warden listening on');
      for (const spelling of [secret, Buffer.from(secret, 'base64').toString('hex'), Buffer.from(secret, 'base64').toString('base64url')]) expect(output).not.toContain(spelling);
    }
  });

  it('the headless process refuses a wrong master key with one line on stderr and exit 1, no stack trace', async () => {
    const first = await startTestWarden(options());
    await first.close();
    const wrongFile = path.join(root, 'wrong.key');
    await writeFile(wrongFile, newKey(), { mode: 0o600 });
    const result = await runServeProcess(['--data-dir', dataDir, '--port', '0', '--key-store', 'database', '--master-key-file', wrongFile]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^token-warden: The master key file .*wrong\.key is not the one this database's private keys are encrypted with/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('SealBroken');
  });
});
