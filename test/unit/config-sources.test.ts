/**
 * The configuration's layers (src/main/config-sources.ts through resolveConfiguration): flag > environment >
 * file > default, every layer refused by the same schema with the source named, unknown file keys refused,
 * and the effective configuration (secrets masked) that `npm run serve` prints at start.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveConfiguration, envName, maskSecret } from '../../src/main/config-sources';
import { flagList, parseWardenArgs, resolveConfiguration } from '../../src/main/config';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'warden-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let fileCounter = 0;
async function configFile(content: unknown): Promise<string> {
  const file = path.join(dir, `config-${(fileCounter += 1)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const refused = (argv: string[], env: NodeJS.ProcessEnv, message: RegExp) =>
  expect(() => parseWardenArgs(argv, env)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(message) }));

describe('precedence: flag > environment > file > default', () => {
  it('takes each flag from the highest layer that sets it, and says where it came from', async () => {
    const file = await configFile({ 'data-dir': '/srv/file', port: 7001, host: 'localhost', 'log-level': 'warn', 'drain-timeout': '30' });
    const env = { TOKEN_WARDEN_CONFIG: file, TOKEN_WARDEN_PORT: '7002', TOKEN_WARDEN_LOG_LEVEL: 'debug' };
    const { config, effective } = resolveConfiguration(['--port', '7003'], env);
    expect(config).toMatchObject({ dataDir: '/srv/file', port: 7003, host: 'localhost', logLevel: 'debug', drainTimeoutMs: 30_000 });
    expect(effective.port).toEqual({ value: 7003, from: 'flag' });
    expect(effective['log-level']).toEqual({ value: 'debug', from: 'env' });
    expect(effective['data-dir']).toEqual({ value: '/srv/file', from: 'file' });
    expect(effective['drain-timeout']).toEqual({ value: 30, from: 'file' });
    expect(effective['key-store']).toEqual({ value: 'keychain', from: 'default' });
    expect(effective.config).toEqual({ value: file, from: 'env' });
    // Without the flag the environment wins; without both, the file.
    expect(parseWardenArgs([], env)).toMatchObject({ port: 7002 });
    expect(parseWardenArgs([], { TOKEN_WARDEN_CONFIG: file })).toMatchObject({ port: 7001, logLevel: 'warn' });
    expect(parseWardenArgs(['--config', file], {})).toMatchObject({ port: 7001 });
  });

  it('a switch turned off in a higher layer stays off; an empty variable counts as unset', async () => {
    const file = await configFile({ 'data-dir': '/srv/w', 'trust-proxy': ['10.0.0.0/8', 'fd00::/8'], 'allow-remote': true, host: '0.0.0.0' });
    expect(parseWardenArgs(['--config', file], {})).toMatchObject({ trustProxy: ['10.0.0.0/8', 'fd00::/8'], allowRemote: true });
    expect(parseWardenArgs(['--config', file], { TOKEN_WARDEN_TRUST_PROXY: 'false' })).not.toHaveProperty('trustProxy');
    expect(parseWardenArgs(['--config', file], { TOKEN_WARDEN_TRUST_PROXY: 'on' })).toMatchObject({ trustProxy: true });
    expect(parseWardenArgs(['--config', file], { TOKEN_WARDEN_TRUST_PROXY: '192.168.0.0/16' })).toMatchObject({ trustProxy: ['192.168.0.0/16'] });
    expect(parseWardenArgs(['--config', file], { TOKEN_WARDEN_TRUST_PROXY: '' })).toMatchObject({ trustProxy: ['10.0.0.0/8', 'fd00::/8'] });
    refused(['--config', file], { TOKEN_WARDEN_ALLOW_REMOTE: 'no' }, /--host 0\.0\.0\.0 is not a loopback address/);
  });

  it('leaves alone variables named like ours that match no flag', () => {
    expect(parseWardenArgs(['--data-dir', '/tmp/w'], { TOKEN_WARDEN_SQLITE_BINDING: '/x/binding.node' })).toMatchObject({ dataDir: '/tmp/w' });
  });

  it('names every flag\'s variable TOKEN_WARDEN_<FLAG_NAME> unless the flag declares its own', () => {
    for (const flag of flagList()) expect(envName(flag)).toBe(flag.env ?? `TOKEN_WARDEN_${flag.flag.slice(2).toUpperCase().replaceAll('-', '_')}`);
    expect(envName({ key: 'drainTimeout', flag: '--drain-timeout' })).toBe('TOKEN_WARDEN_DRAIN_TIMEOUT');
    expect(envName({ key: 'database', flag: '--database', env: 'TOKEN_WARDEN_DATABASE_URL' })).toBe('TOKEN_WARDEN_DATABASE_URL');
  });
});

describe('refusals name the source', () => {
  it('a bad variable', () => {
    refused([], { TOKEN_WARDEN_PORT: 'eighty' }, /^--port must be a number .* \(from TOKEN_WARDEN_PORT\)$/);
    refused([], { TOKEN_WARDEN_DEMO: 'maybe' }, /^TOKEN_WARDEN_DEMO must be true or false/);
  });

  it('a bad file value', async () => {
    const file = await configFile({ 'log-level': 'loud' });
    refused(['--config', file], {}, new RegExp(`^--log-level must be .* \\(from "log-level" in the configuration file ${file.replace(/[.]/g, '\\.')}\\)$`));
    refused(['--config', await configFile({ demo: 'yes' })], {}, /"demo" in the configuration file .* must be true or false/);
    refused(['--config', await configFile({ port: '' })], {}, /"port" in the configuration file .* must be a non-empty string/);
  });

  it('an unknown key, listing the known ones', async () => {
    const file = await configFile({ 'data-dir': '/srv/w', 'trust-proxies': '10.0.0.0/8' });
    refused(['--config', file], {}, /^Unknown key "trust-proxies" in the configuration file .*\. Keys: data-dir, port, .*trust-proxy/);
    refused(['--config', await configFile({ config: '/etc/other.json' })], {}, /^Unknown key "config" .* cannot name another/);
  });

  it('a file that is missing, not JSON, or not an object', async () => {
    refused(['--config', path.join(dir, 'nope.json')], {}, /^Cannot read the configuration file .*nope\.json \(--config\): it does not exist\.$/);
    refused(['--config', await configFile('{"port": ')], {}, /is not valid JSON/);
    refused(['--config', await configFile(['--port', '1'])], {}, /must hold one JSON object/);
  });
});

describe('the effective configuration', () => {
  it('masks secret flags: a URL keeps all but its password, anything else is replaced whole', () => {
    expect(maskSecret('postgres://warden:s3cret@db.internal:5432/warden')).toBe('postgres://warden:***@db.internal:5432/warden');
    expect(maskSecret('k'.repeat(44))).toBe('***');
    const flags = [
      { key: 'database', flag: '--database' as const, value: 'URL', secret: true },
      { key: 'masterKey', flag: '--master-key' as const, value: 'KEY', secret: true },
      { key: 'port', flag: '--port' as const, value: 'N' },
    ];
    const shown = effectiveConfiguration(flags, { database: 'postgres://u:pw@h/db', masterKey: 'c2VjcmV0', port: 8080 }, { database: 'env', masterKey: 'file', port: 'flag' });
    expect(shown).toEqual({ database: { value: 'postgres://u:***@h/db', from: 'env' }, 'master-key': { value: '***', from: 'file' }, port: { value: 8080, from: 'flag' } });
    expect(JSON.stringify(shown)).not.toContain('c2VjcmV0');
  });

  it('lists every flag', () => {
    const { effective } = resolveConfiguration(['--data-dir', '/tmp/w'], {});
    expect(Object.keys(effective)).toEqual(flagList().map((flag) => flag.flag.slice(2)));
  });
});
