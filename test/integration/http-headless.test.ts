/**
 * The headless entry point and its argument parsing: one listening line, a private admin token, a clean
 * exit on SIGTERM/SIGINT, and one clear line on stderr (exit 1) for a bad start.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWardenArgs, startWarden } from '../../src/main/app';
import { usage } from '../../src/main/config';
import { runServeProcess, startServeProcess } from '../helpers/serve-process';

describe('parseWardenArgs', () => {
  it('reads every flag, in both spellings, with safe defaults', () => {
    expect(parseWardenArgs(['--data-dir', '/tmp/w', '--port=0', '--key-store', 'memory'])).toEqual({
      dataDir: '/tmp/w',
      port: 0,
      host: '127.0.0.1',
      allowRemote: false,
      keyStore: 'memory',
      consoleDir: null,
      demo: false,
    });
    expect(parseWardenArgs(['--data-dir=/tmp/w'])).toMatchObject({ keyStore: 'keychain', port: 0 });
    expect(parseWardenArgs(['--demo'])).toMatchObject({ demo: true, dataDir: null, keyStore: 'memory' });
    expect(parseWardenArgs(['--host', '0.0.0.0', '--allow-remote', '--console-dir', 'out/renderer'])).toMatchObject({
      host: '0.0.0.0',
      allowRemote: true,
      consoleDir: path.resolve('out/renderer'),
    });
  });

  const refused: Array<[string[], RegExp]> = [
    [['--port', 'eighty'], /--port/],
    [['--port', '70000'], /--port/],
    [['--port'], /needs a value/],
    [['--data-dir', '--port', '1'], /needs a value/],
    [['--key-store', 'disk'], /--key-store/],
    [['--host', '0.0.0.0'], /--allow-remote/],
    [['--frobnicate'], /Unknown argument/],
    [['stray'], /Unknown argument/],
    [['--port', '1', '--port', '2'], /more than once/],
    [['--demo', '--data-dir', '/tmp/x'], /--demo/],
    [['--demo', '--key-store', 'keychain'], /memory/],
    [['--demo=yes'], /takes no value/],
  ];
  for (const [argv, message] of refused) {
    it(`refuses ${argv.join(' ')}`, () => {
      expect(() => parseWardenArgs(argv)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(message) }));
    });
  }
});

describe('startWarden in demo mode', () => {
  it('uses a throwaway directory and the memory vault, and leaves no files behind', async () => {
    const warden = await startWarden({ ...parseWardenArgs(['--demo']) });
    const dir = path.dirname(warden.adminTokenPath);
    expect(dir.startsWith(os.tmpdir())).toBe(true);
    expect(warden.info).toEqual({ mode: 'browser', issuer: warden.issuer, keyStore: 'memory', demo: true, dataDir: null, version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect((await stat(path.join(dir, 'warden.db'))).isFile()).toBe(true);
    await warden.close();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a non-loopback host without allowRemote, and warns with it', async () => {
    await expect(startWarden({ ...parseWardenArgs(['--demo']), host: '0.0.0.0' })).rejects.toMatchObject({ code: 'invalid_input' });
    const warnings: string[] = [];
    const warden = await startWarden({ ...parseWardenArgs(['--demo', '--host', '0.0.0.0', '--allow-remote']), warn: (line) => warnings.push(line) });
    try {
      expect(warnings).toEqual([expect.stringMatching(/^Warning: .*reachable from other machines/)]);
      expect(warden.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await warden.close();
    }
  });
});

describe('npm run serve (headless)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'warden-headless-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints one listening line, writes a private admin token, and exits 0 on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dataDir = path.join(dir, `data-${signal}`);
      const service = await startServeProcess(['--data-dir', dataDir, '--key-store', 'memory', '--port', '0']);
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(service.stdout).toEqual([`Token Warden listening on ${service.url}`]);
      const metadata = (await (await fetch(`${service.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
      expect(metadata.issuer).toBe(service.url);
      expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect(await service.stop(signal)).toBe(0);
    }
  });

  it('prints the console URL with a one-time code when serving a console', async () => {
    const consoleDir = path.join(dir, 'console');
    await mkdir(consoleDir);
    await writeFile(path.join(consoleDir, 'index.html'), '<!doctype html>');
    const service = await startServeProcess(['--demo', '--console-dir', consoleDir]);
    try {
      await service.waitForLines(2);
      expect(service.stdout[1]).toMatch(new RegExp(`^Console: ${service.url}/\\?code=[A-Za-z0-9_-]{22}$`));
      expect(service.stdout).toHaveLength(2);
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });

  it('--help prints the usage generated from the configuration schema', async () => {
    const result = await runServeProcess(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${usage()}\n`);
  });

  it('with --issuer, prints where it listens and then the issuer; a restart prints the same', async () => {
    const dataDir = path.join(dir, 'behind-proxy');
    const args = ['--data-dir', dataDir, '--key-store', 'memory', '--issuer', 'https://Auth.Example.com/'];
    const first = await startServeProcess(args);
    await first.waitForLines(2);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(first.stdout).toEqual([`Token Warden listening on ${first.url}`, 'Issuer: https://auth.example.com']);
    expect(((await (await fetch(`${first.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string }).issuer).toBe('https://auth.example.com');
    expect(await first.stop()).toBe(0);
    const second = await startServeProcess(['--data-dir', dataDir, '--key-store', 'memory']);
    await second.waitForLines(2);
    expect(second.stdout).toEqual([`Token Warden listening on ${first.url}`, 'Issuer: https://auth.example.com']);
    expect(await second.stop()).toBe(0);
  });

  it('fails with one clear line and exit 1', async () => {
    const badFlag = await runServeProcess(['--port', 'nope']);
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^token-warden: --port must be a number/)]);
    expect(badFlag.stdout).toBe('');

    const notADatabase = path.join(dir, 'bad-data');
    await mkdir(notADatabase);
    await writeFile(path.join(notADatabase, 'warden.db'), 'this is not sqlite');
    const badStore = await runServeProcess(['--data-dir', notADatabase, '--key-store', 'memory']);
    expect(badStore.code).toBe(1);
    expect(badStore.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^token-warden: .*not a SQLite database/)]);
  });

  it('names the memory alternative when no keychain is reachable', async () => {
    // No session bus at all: the keychain vault must refuse, not fall back silently.
    const result = await runServeProcess(['--data-dir', path.join(dir, 'no-keychain')], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent', WARDEN_KEYRING: '' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^token-warden: .*--key-store memory/)]);
  });
});
