/** The master key of --key-store database: its spellings, its refusals, its redaction and the GCM envelope. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMasterKey, MasterKey, SealBroken, SecretText } from '../../../src/main/keys/master-key';
import { WardenError } from '../../../src/shared/errors';

const bytes = randomBytes(32);
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WardenError);
    expect((error as WardenError).code).toBe('invalid_input');
    return (error as WardenError).message;
  }
  throw new Error('not refused');
};

describe('MasterKey.fromText', () => {
  it('takes 32 bytes as standard base64 (padded or not), URL base64 and hex, around whitespace; all name the same key', () => {
    const spellings = [bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), `  ${bytes.toString('base64')}\n`];
    const keys = spellings.map((text) => MasterKey.fromText(text, 'the key'));
    const sealed = keys[0]!.seal(Buffer.from('jwk'), Buffer.from('aad'));
    for (const key of keys) expect(key.open(sealed, Buffer.from('aad')).toString()).toBe('jwk');
  });

  it('refuses empty, short, long, malformed and non-random keys, naming the source and never echoing the key', () => {
    expect(refusal(() => MasterKey.fromText(' \n', 'The master key file /k'))).toMatch(/^The master key file \/k is empty/);
    const short = randomBytes(16).toString('base64');
    const shortMessage = refusal(() => MasterKey.fromText(short, 'TOKEN_WARDEN_MASTER_KEY'));
    expect(shortMessage).toMatch(/is too short: it holds 16 bytes/);
    expect(shortMessage).not.toContain(short);
    expect(refusal(() => MasterKey.fromText(randomBytes(31).toString('hex'), 'k'))).toMatch(/too short: it holds 31 bytes/);
    expect(refusal(() => MasterKey.fromText(randomBytes(48).toString('base64'), 'k'))).toMatch(/too long: it holds 48 bytes/);
    expect(refusal(() => MasterKey.fromText('correct horse battery staple, a passphrase!', 'k'))).toMatch(/is not a master key/);
    // Both base64 alphabets at once is not a key anyone generated.
    expect(refusal(() => MasterKey.fromText(`${'a+b_'.repeat(10)}abc`, 'k'))).toMatch(/is not a master key/);
    expect(refusal(() => MasterKey.fromText(Buffer.alloc(32).toString('base64'), 'k'))).toMatch(/does not look random \(its 32 bytes take only 1 distinct values\)/);
    expect(refusal(() => MasterKey.fromText('0123456789abcdef'.repeat(4), 'k'))).toMatch(/does not look random/);
  });

  it('never shows its bytes: inspect, String and JSON print "redacted"', () => {
    const key = MasterKey.fromText(bytes.toString('base64'), 'k');
    const secret = new SecretText(bytes.toString('base64'));
    for (const value of [key, secret]) {
      const shown = [inspect(value), String(value), JSON.stringify({ value }), inspect({ nested: value }, { depth: 5 })].join(' ');
      expect(shown).toContain('redacted');
      expect(shown).not.toContain(bytes.toString('base64'));
      expect(shown).not.toContain(bytes.toString('hex').slice(0, 16));
    }
    expect(secret.reveal()).toBe(bytes.toString('base64'));
  });
});

describe('the AES-256-GCM envelope', () => {
  const key = MasterKey.generate();
  const aad = Buffer.from('token-warden/key-secret/v1\x00kid-1\x001');
  const plaintext = Buffer.from('{"kty":"OKP","d":"private"}');

  it('round-trips, with a fresh 96-bit nonce every time and the tag appended', () => {
    const a = key.seal(plaintext, aad);
    const b = key.seal(plaintext, aad);
    expect(a.nonce).toHaveLength(12);
    expect(a.ciphertext).toHaveLength(plaintext.length + 16);
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(key.open(a, aad).equals(plaintext)).toBe(true);
  });

  it('refuses a flipped ciphertext, tag or nonce byte, other associated data, a truncated value and another key', () => {
    const sealed = key.seal(plaintext, aad);
    const flip = (buffer: Buffer, at: number) => {
      const copy = Buffer.from(buffer);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    const cases = [
      { nonce: sealed.nonce, ciphertext: flip(sealed.ciphertext, 0) },
      { nonce: sealed.nonce, ciphertext: flip(sealed.ciphertext, sealed.ciphertext.length - 1) },
      { nonce: flip(sealed.nonce, 11), ciphertext: sealed.ciphertext },
      { nonce: sealed.nonce.subarray(0, 11), ciphertext: sealed.ciphertext },
      { nonce: sealed.nonce, ciphertext: sealed.ciphertext.subarray(0, 15) },
    ];
    for (const broken of cases) expect(() => key.open(broken, aad)).toThrow(SealBroken);
    expect(() => key.open(sealed, Buffer.from('token-warden/key-secret/v1\x00kid-2\x001'))).toThrow(SealBroken);
    expect(() => key.open(sealed, Buffer.from('token-warden/key-secret/v1\x00kid-1\x002'))).toThrow(SealBroken);
    expect(() => MasterKey.generate().open(sealed, aad)).toThrow(SealBroken);
    expect(key.open(sealed, aad).equals(plaintext)).toBe(true);
  });
});

describe('loadMasterKey', () => {
  let dir: string;
  let warnings: string[];
  const warn = (line: string) => warnings.push(line);
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'warden-master-key-'));
    warnings = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads a 0600 file silently and says where the key came from', async () => {
    const file = path.join(dir, 'master.key');
    await writeFile(file, `${bytes.toString('base64')}\n`, { mode: 0o600 });
    const loaded = await loadMasterKey({ file }, warn);
    expect(loaded.origin).toBe(`the master key file ${file}`);
    expect(warnings).toEqual([]);
    const fromEnv = await loadMasterKey({ env: new SecretText(bytes.toString('hex')) }, warn);
    expect(fromEnv.origin).toBe('the master key in TOKEN_WARDEN_MASTER_KEY');
    expect(fromEnv.key.open(loaded.key.seal(Buffer.from('x'), Buffer.alloc(0)), Buffer.alloc(0)).toString()).toBe('x');
  });

  it('warns (does not refuse) when others can read the file: secret mounts are 0444/0644', async () => {
    const file = path.join(dir, 'master.key');
    await writeFile(file, bytes.toString('base64'));
    await chmod(file, 0o644);
    await loadMasterKey({ file }, warn);
    expect(warnings).toEqual([`Warning: the master key file ${file} can be read by other users (mode 644); chmod 600 it unless it is a read-only secret mount.`.replace('the master key file', 'The master key file')]);
  });

  it('refuses no source, both sources, a missing file, a directory, a big file and a malformed file', async () => {
    const message = async (work: Promise<unknown>) => ((await work.then(() => undefined, (error: unknown) => error)) as WardenError).message;
    expect(await message(loadMasterKey({}, warn))).toMatch(/^--key-store database needs the master key .* --master-key-file FILE or set TOKEN_WARDEN_MASTER_KEY/);
    const file = path.join(dir, 'master.key');
    expect(await message(loadMasterKey({ file, env: new SecretText('x') }, warn))).toMatch(/^Both --master-key-file and TOKEN_WARDEN_MASTER_KEY are set/);
    expect(await message(loadMasterKey({ file }, warn))).toBe(`The master key file ${file} does not exist.`);
    expect(await message(loadMasterKey({ file: dir }, warn))).toBe(`The master key file ${dir} is not a regular file.`);
    await writeFile(file, 'x'.repeat(5000), { mode: 0o600 });
    expect(await message(loadMasterKey({ file }, warn))).toMatch(/is 5000 bytes: not a master key/);
    await writeFile(file, 'not a key at all', { mode: 0o600 });
    expect(await message(loadMasterKey({ file }, warn))).toMatch(/^The master key file .* is not a master key/);
  });
});
