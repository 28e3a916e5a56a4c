/**
 * Time-based one-time passwords (RFC 6238, over RFC 4226's HOTP) with node:crypto, and the base32 secrets
 * (RFC 4648) authenticator apps take. Checked against the RFCs' test vectors and the `otpauth` package.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  digits?: number;
  /** The time step X in seconds (RFC 6238 §4.1). */
  periodSeconds?: number;
}

const DEFAULTS = { algorithm: 'sha1' as TotpAlgorithm, digits: 6, periodSeconds: 30 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Case-insensitive; spaces and `=` padding are ignored. Throws TypeError on any other character. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = ALPHABET.indexOf(char);
    if (index === -1) throw new TypeError('not a base32 string');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A new secret: 160 bits, the size RFC 4226 §4 recommends for HMAC-SHA-1. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** RFC 4226 §5.3: HMAC of the 8-byte counter, dynamic truncation, the low `digits` decimal digits. */
export function hotp(secret: Buffer, counter: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The time step of `atMs` (RFC 6238 §4.2: T = floor((unix time - T0) / X), T0 = 0). */
export function totpStep(atMs: number, periodSeconds = DEFAULTS.periodSeconds): number {
  return Math.floor(atMs / 1000 / periodSeconds);
}

export function totp(secret: Buffer, atMs: number, options: TotpOptions = {}): string {
  const { algorithm, digits, periodSeconds } = { ...DEFAULTS, ...options };
  return hotp(secret, totpStep(atMs, periodSeconds), digits, algorithm);
}

/**
 * The time step a code belongs to, within one step either side of now (RFC 6238 §5.2's allowance for clock
 * drift and typing time), or null. `afterStep` refuses that step and earlier ones: a code is good once.
 */
export function matchTotp(secretBase32: string, code: string, atMs: number, afterStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const secret = base32Decode(secretBase32);
  const now = totpStep(atMs);
  const given = Buffer.from(code);
  let matched: number | null = null;
  // Every candidate is computed and compared, so the time taken does not say which step matched.
  for (const step of [now - 1, now, now + 1]) {
    const ok = timingSafeEqual(Buffer.from(hotp(secret, step)), given);
    if (ok && (afterStep === null || step > afterStep) && matched === null) matched = step;
  }
  return matched;
}

/** The `otpauth://` URI authenticator apps read from a QR code (Google Authenticator's Key Uri Format). */
export function otpauthUri(secretBase32: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  // Percent-encoded (a space is %20): authenticators decode with decodeURIComponent, which leaves a `+` as is.
  const params = { secret: secretBase32, issuer, algorithm: 'SHA1', digits: '6', period: '30' };
  const query = Object.entries(params).map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  return `otpauth://totp/${label}?${query}`;
}
