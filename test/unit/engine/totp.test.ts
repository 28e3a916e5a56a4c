/** TOTP (RFC 6238) and HOTP (RFC 4226) against the RFCs' own test vectors, and cross-checked with `otpauth`. */
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, matchTotp, newTotpSecret, otpauthUri, totp, totpStep, type TotpAlgorithm } from '../../../src/main/engine/totp';

const SEEDS: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

/** RFC 6238 Appendix B: time (s) → 8-digit TOTP for SHA-1, SHA-256, SHA-512. */
const RFC6238: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP', () => {
  it('matches every RFC 6238 Appendix B vector', () => {
    for (const [seconds, sha1, sha256, sha512] of RFC6238) {
      expect(totp(SEEDS.sha1, seconds * 1000, { digits: 8, algorithm: 'sha1' })).toBe(sha1);
      expect(totp(SEEDS.sha256, seconds * 1000, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
      expect(totp(SEEDS.sha512, seconds * 1000, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
    }
  });

  it('matches the RFC 4226 Appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(SEEDS.sha1, counter))).toEqual(expected);
  });

  it('encodes base32 as RFC 4648 §10 (no padding) and decodes it back, case and spaces aside', () => {
    const vectors: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
    expect(base32Decode('mzxw 6ytb oi==').toString()).toBe('foobar');
    expect(() => base32Decode('MZXW1')).toThrow(TypeError);
  });

  it('agrees with the otpauth package on codes and on the otpauth:// URI', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const theirs = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
    for (const at of [0, 59_000, 1_700_000_000_000, 1_764_590_000_123]) {
      expect(totp(base32Decode(secret), at)).toBe(theirs.generate({ timestamp: at }));
    }
    const parsed = OTPAuth.URI.parse(otpauthUri(secret, 'Token Warden (auth.example.com)', 'ana@example.com'));
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    expect(parsed).toMatchObject({ issuer: 'Token Warden (auth.example.com)', label: 'ana@example.com', digits: 6, period: 30, algorithm: 'SHA1' });
    expect(parsed.secret.base32).toBe(secret);
  });

  it('accepts a code one step either side of now, once: an accepted step and earlier ones are refused', () => {
    const secret = newTotpSecret();
    const key = base32Decode(secret);
    const now = 1_764_590_000_000;
    const step = totpStep(now);
    expect(matchTotp(secret, totp(key, now), now, null)).toBe(step);
    expect(matchTotp(secret, totp(key, now - 30_000), now, null)).toBe(step - 1);
    expect(matchTotp(secret, totp(key, now + 30_000), now, null)).toBe(step + 1);
    expect(matchTotp(secret, totp(key, now - 60_000), now, null)).toBeNull();
    expect(matchTotp(secret, totp(key, now + 60_000), now, null)).toBeNull();
    // Replay: the step already used (and anything before it) no longer signs anyone in.
    expect(matchTotp(secret, totp(key, now), now, step)).toBeNull();
    expect(matchTotp(secret, totp(key, now - 30_000), now, step - 1)).toBeNull();
    expect(matchTotp(secret, totp(key, now + 30_000), now, step)).toBe(step + 1);
    for (const junk of ['', '12345', '1234567', 'abcdef', ' 123456']) expect(matchTotp(secret, junk, now, null)).toBeNull();
  });
});
