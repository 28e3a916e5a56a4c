/**
 * The configuration schema (src/main/config.ts): the new flags' parsing and refusals, and the docs table that
 * must say what the parser does.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationTable, defaultDataDir, environmentTable, flagList, parseIssuer, parseWardenArgs, usage } from '../../src/main/config';

const refusedWith = (argv: string[], message: RegExp) =>
  expect(() => parseWardenArgs(argv)).toThrow(expect.objectContaining({ code: 'invalid_input', message: expect.stringMatching(message) }));

describe('--issuer', () => {
  const canonical: Array<[string, string]> = [
    ['https://auth.example.com', 'https://auth.example.com'],
    ['https://auth.example.com/', 'https://auth.example.com'],
    ['HTTPS://Auth.Example.COM:443/', 'https://auth.example.com'],
    ['https://auth.example.com:8443', 'https://auth.example.com:8443'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:80/', 'http://localhost'],
    ['http://[::1]:9000/', 'http://[::1]:9000'],
  ];
  for (const [given, stored] of canonical) {
    it(`stores ${given} as ${stored}`, () => {
      expect(parseIssuer(given)).toBe(stored);
      expect(parseWardenArgs(['--data-dir', '/tmp/w', `--issuer=${given}`])).toMatchObject({ issuer: stored });
    });
  }

  const refused = ['auth.example.com', '/oauth', 'ftp://auth.example.com', 'https://', 'https://auth.example.com/tenant', 'https://auth.example.com//', 'https://auth.example.com/?', 'https://auth.example.com/#top', 'https://user:pw@auth.example.com', ' https://auth.example.com', 'https:\\\\auth.example.com'];
  for (const given of refused) {
    it(`refuses ${JSON.stringify(given)}`, () => refusedWith(['--issuer', given], /^--issuer must be/));
  }

  it('is refused in demo mode, whose devices and demo API call the loopback issuer', () => {
    refusedWith(['--demo', '--issuer', 'https://auth.example.com'], /^--demo .*keeps its own loopback issuer/);
  });

  it('is absent from the options when not given', () => {
    expect(parseWardenArgs(['--data-dir', '/tmp/w'])).not.toHaveProperty('issuer');
  });
});

describe('--trust-proxy', () => {
  it('alone is the switch it always was (the immediate peer, one hop), off unless given', () => {
    expect(parseWardenArgs(['--data-dir', '/tmp/w', '--trust-proxy'])).toMatchObject({ trustProxy: true });
    expect(parseWardenArgs(['--trust-proxy', '--data-dir', '/tmp/w'])).toMatchObject({ trustProxy: true, dataDir: '/tmp/w' });
    expect(parseWardenArgs(['--data-dir', '/tmp/w'])).not.toHaveProperty('trustProxy');
    refusedWith(['--trust-proxy', '--trust-proxy'], /more than once/);
  });

  it('takes CIDRs, IPv4 and IPv6, in one argument with commas or in several', () => {
    expect(parseWardenArgs(['--trust-proxy', '10.0.0.0/8,fd00::/8', '--data-dir', '/tmp/w'])).toMatchObject({ trustProxy: ['10.0.0.0/8', 'fd00::/8'] });
    expect(parseWardenArgs(['--data-dir', '/tmp/w', '--trust-proxy', '10.0.0.0/8', '192.168.1.7', '::1'])).toMatchObject({ trustProxy: ['10.0.0.0/8', '192.168.1.7', '::1'] });
    expect(parseWardenArgs(['--data-dir', '/tmp/w', '--trust-proxy=172.16.0.0/12'])).toMatchObject({ trustProxy: ['172.16.0.0/12'] });
  });

  for (const given of ['yes', '10.0.0.0/33', 'fd00::/129', '10.0.0/8', '10.0.0.0/-1', '10.0.0.0/8,', 'proxy.example.com']) {
    it(`refuses ${JSON.stringify(given)}`, () => refusedWith(['--data-dir', '/tmp/w', `--trust-proxy=${given}`], /^--trust-proxy takes CIDRs/));
  }
});

describe('--signing-alg', () => {
  for (const alg of ['EdDSA', 'ES256', 'RS256'] as const) {
    it(`accepts ${alg}`, () => {
      expect(parseWardenArgs(['--data-dir', '/tmp/w', '--signing-alg', alg])).toMatchObject({ signingAlg: alg });
    });
  }
  for (const given of ['HS256', 'none', 'eddsa', 'rs256', 'ES256 ']) {
    it(`refuses ${JSON.stringify(given)}`, () => refusedWith(['--signing-alg', given], /^--signing-alg must be EdDSA, ES256 or RS256, not "/));
  }
  it('needs a value, once', () => {
    refusedWith(['--signing-alg'], /--signing-alg needs a value/);
    refusedWith(['--signing-alg=ES256', '--signing-alg', 'RS256'], /more than once/);
    expect(parseWardenArgs(['--data-dir', '/tmp/w'])).not.toHaveProperty('signingAlg');
  });
});

describe('environment', () => {
  it('XDG_DATA_HOME places the default data directory; unset or empty, ~/.local/share', () => {
    expect(parseWardenArgs([], { XDG_DATA_HOME: '/srv/data' })).toMatchObject({ dataDir: '/srv/data/token-warden' });
    expect(defaultDataDir({ XDG_DATA_HOME: '' })).toBe(path.join(os.homedir(), '.local', 'share', 'token-warden'));
    expect(defaultDataDir({})).toBe(path.join(os.homedir(), '.local', 'share', 'token-warden'));
  });
});

describe('the schema is the documentation', () => {
  it('--help lists every flag the parser knows, and the unknown-flag message names them all', () => {
    const help = usage();
    for (const flag of flagList()) expect(help).toContain(flag.flag);
    let message = '';
    try {
      parseWardenArgs(['--no-such-flag']);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const flag of flagList()) expect(message).toContain(flag.flag);
  });

  it('docs/configuration.md carries the table generated from the schema', async () => {
    const doc = await readFile(path.resolve(import.meta.dirname, '../../docs/configuration.md'), 'utf8');
    const table = /<!-- flags:start[^>]*-->\n([\s\S]*?)\n<!-- flags:end -->/.exec(doc)?.[1];
    // On a mismatch, paste configurationTable()'s output (the "expected" side) between the markers.
    expect(table).toBe(configurationTable());
    const environment = /<!-- env:start[^>]*-->\n([\s\S]*?)\n<!-- env:end -->/.exec(doc)?.[1];
    expect(environment).toBe(environmentTable());
  });
});
