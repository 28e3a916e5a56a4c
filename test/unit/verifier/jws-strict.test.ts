/**
 * One spelling per token, in the engine's decoder and in the kit's parser (two copies of the rule, since the
 * kit ships alone): canonical base64url only, and no `crit` header. The same vectors drive both.
 */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeJwtDetailed, isCanonicalBase64url as engineCanonical } from '../../../src/main/engine/jwt';
import { isCanonicalBase64url as kitCanonical, parseJws } from '../../../packages/verifier/src/jws';
import { CRIT_HEADERS, nonCanonicalVariants, respellings, segmentWithRest } from '../../helpers/jws-vectors';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const { privateKey } = generateKeyPairSync('ed25519');

/** A compact JWS signed by a throwaway key; `header` is an object or a ready segment. */
function token(header: Record<string, unknown> | string, payloadSegment = b64({ sub: 'usr_1', n: 1 })): string {
  const input = `${typeof header === 'string' ? header : b64(header)}.${payloadSegment}`;
  return `${input}.${cryptoSign(null, Buffer.from(input), privateKey).toString('base64url')}`;
}

describe('isCanonicalBase64url (engine and kit agree)', () => {
  it('accepts the encoding of every byte string and refuses every other spelling of it', () => {
    for (let length = 0; length <= 12; length += 1) {
      for (let sample = 0; sample < 40; sample += 1) {
        const bytes = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + sample * 101 + length) & 0xff));
        const canonical = bytes.toString('base64url');
        expect(engineCanonical(canonical)).toBe(true);
        expect(kitCanonical(canonical)).toBe(true);
        const others = respellings(canonical);
        // 4 spare bits for one leftover byte, 2 for two: 16 or 4 spellings decode alike.
        expect(others).toHaveLength(length % 3 === 1 ? 15 : length % 3 === 2 ? 3 : 0);
        for (const other of others) {
          expect(Buffer.from(other, 'base64url').equals(bytes)).toBe(true); // why the check is needed at all
          expect(engineCanonical(other)).toBe(false);
          expect(kitCanonical(other)).toBe(false);
        }
      }
    }
  });

  it('refuses a length of 1 mod 4 (no byte string has one)', () => {
    for (const segment of ['A', 'AAAAA', 'abcdefghi', '_']) {
      expect(engineCanonical(segment)).toBe(false);
      expect(kitCanonical(segment)).toBe(false);
    }
  });

  it('refuses padding', () => {
    for (const segment of ['AA==', 'AAA=', 'AAAAAA==']) {
      expect(engineCanonical(segment)).toBe(false);
      expect(kitCanonical(segment)).toBe(false);
    }
  });
});

describe('one spelling per token', () => {
  const genuine = token({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' });

  it('the genuine token parses in both', () => {
    expect(decodeJwt(genuine)).toBeDefined();
    expect(parseJws(genuine)).toBeDefined();
  });

  it('the signature of an Ed25519 token has 16 spellings Buffer accepts; only the canonical one parses', () => {
    const signature = genuine.split('.')[2]!;
    expect(signature.length % 4).toBe(2);
    expect(respellings(signature)).toHaveLength(15);
  });

  // Header and payload lengths depend on their JSON: make both leave spare bits, once with 2 and once with 3 leftovers.
  const shaped = [
    token(segmentWithRest({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' }, 2), segmentWithRest({ sub: 'usr_1' }, 3)),
    token(segmentWithRest({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' }, 3), segmentWithRest({ sub: 'usr_1' }, 2)),
  ];

  for (const [index, base] of [genuine, ...shaped].entries()) {
    it(`refuses every non-canonical spelling (token ${index + 1})`, () => {
      expect(decodeJwt(base)).toBeDefined();
      expect(parseJws(base)).toBeDefined();
      const variants = nonCanonicalVariants(base);
      expect(variants.length).toBeGreaterThan(15);
      for (const [name, variant] of variants) {
        expect(decodeJwt(variant), name).toBeUndefined();
        expect(parseJws(variant), name).toBeUndefined();
        // The engine still explains it (the console's inspector), without calling it acceptable.
        const detailed = decodeJwtDetailed(variant);
        if (detailed) expect(detailed, name).toMatchObject({ ok: false, problem: expect.stringContaining('canonical') });
      }
    });
  }

  it('refuses a character outside base64url inside the payload or the signature, before any signature check', () => {
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    // U+0141's low byte is 'A': written as latin1 signing input it would read as the alphabet.
    for (const bad of ['+', '/', '=', ' ', '%', '\u0141']) {
      const at = (segment: string) => Math.floor(segment.length / 2);
      const inPayload = `${header}.${payload.slice(0, at(payload))}${bad}${payload.slice(at(payload) + 1)}.${signature}`;
      const inSignature = `${header}.${payload}.${signature.slice(0, at(signature))}${bad}${signature.slice(at(signature) + 1)}`;
      expect(parseJws(inPayload), `payload with ${JSON.stringify(bad)}`).toBeUndefined();
      expect(parseJws(inSignature), `signature with ${JSON.stringify(bad)}`).toBeUndefined();
    }
    expect(parseJws(`${header}.${payload}.${signature.slice(0, 10)}.${signature.slice(10)}`), 'a third dot').toBeUndefined();
    expect(parseJws(genuine)).toBeDefined();
  });

  for (const [name, extra] of CRIT_HEADERS) {
    it(`refuses ${name}`, () => {
      const withCrit = token({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1', ...extra });
      expect(decodeJwt(withCrit)).toBeUndefined();
      expect(decodeJwtDetailed(withCrit)).toMatchObject({ ok: false, problem: expect.stringContaining('crit') });
      expect(parseJws(withCrit)).toBeUndefined();
    });
  }
});
