/**
 * Compact JWS parsing and signature checks with node:crypto directly: no WebCrypto round trip, no promise,
 * so a token whose key is cached verifies synchronously. Only EdDSA (Ed25519), ES256 and RS256 are accepted,
 * and only with a key that declares that algorithm: `none`, HMAC and mismatches never reach a signature check.
 * Each token has one spelling: non-canonical base64url and any `crit` header are refused before anything else.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';

export type KitAlg = 'EdDSA' | 'ES256' | 'RS256';

export function isKitAlg(alg: unknown): alg is KitAlg {
  return alg === 'EdDSA' || alg === 'ES256' || alg === 'RS256';
}

export interface JwsHeader {
  alg: string;
  kid: string | undefined;
  typ: string | undefined;
}

export interface ParsedJws {
  header: JwsHeader;
  /** The base64url payload segment (decoded only after the signature holds). */
  payloadSegment: string;
  /** `header.payload`, the signed bytes. */
  signingInput: string;
  /** The base64url signature segment (canonical), decoded only by `verifySignature`. */
  signatureSegment: string;
}

export const MAX_TOKEN_LENGTH = 16_384;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** The low bits of a base64url character's 6-bit value (the character is already known to be one). */
function sextet(code: number): number {
  if (code >= 97 && code <= 122) return code - 71; // a-z: 26..51
  if (code >= 65 && code <= 90) return code - 65; // A-Z: 0..25
  if (code >= 48 && code <= 57) return code + 4; // 0-9: 52..61
  return code === 45 ? 62 : 63; // '-' or '_'
}

/**
 * True when a segment of base64url characters is the one spelling of its bytes (RFC 7515 §2): no padding, no
 * length of 1 mod 4, and the bits of its last character that encode nothing are zero (Buffer ignores them, so without
 * this check one signature has 16 accepted spellings). O(1), never a re-encoding: this is the hot path.
 * The engine has the same rule (src/main/engine/jwt.ts); test/helpers/jws-vectors.ts holds both to it.
 */
export function isCanonicalBase64url(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return segment.charCodeAt(segment.length - 1) !== 61; // no '=' padding
  if (rest === 1) return false;
  // Two leftover characters carry one byte (4 spare bits), three carry two bytes (2 spare bits).
  return (sextet(segment.charCodeAt(segment.length - 1)) & (rest === 2 ? 0x0f : 0x03)) === 0;
}

// Headers repeat across tokens (same kid, alg, typ): parse each distinct one once.
const headerCache = new Map<string, JwsHeader | null>();
const HEADER_CACHE_MAX = 256;

/**
 * Scratch space the verify path decodes into instead of allocating Buffers: crypto.verify and JSON.parse are
 * synchronous, so nothing can write here between a decode and its use. The signature is decoded only inside
 * `verifySignature` for that reason: a parsed token may wait for a JWKS fetch while other tokens verify.
 */
class Scratch {
  private readonly bytes: Buffer;
  private view: Uint8Array;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
    this.view = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, 0);
  }

  /** The first `length` bytes, as a view; the last view is reused while lengths repeat (tokens of one shape). */
  private first(length: number): Uint8Array {
    if (this.view.length !== length) this.view = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, length);
    return this.view;
  }

  /** `text` (ASCII here: the segments are base64url and a dot) as bytes. */
  latin1(text: string): Uint8Array {
    return this.first(this.bytes.write(text, 'latin1'));
  }

  /** A base64url segment (already checked: canonical, alphabet) as bytes. */
  base64url(segment: string): Uint8Array {
    return this.first(this.bytes.write(segment, 'base64url'));
  }

  /** A base64url segment's bytes as UTF-8 text. */
  base64urlText(segment: string): string {
    return this.bytes.toString('utf8', 0, this.bytes.write(segment, 'base64url'));
  }
}

// parseJws refuses tokens over MAX_TOKEN_LENGTH, so every segment and the signing input fit.
const dataScratch = new Scratch(MAX_TOKEN_LENGTH);
const signatureScratch = new Scratch(Math.ceil((MAX_TOKEN_LENGTH * 3) / 4));

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(dataScratch.base64urlText(segment)) as unknown;
  } catch {
    return undefined;
  }
}

function parseHeader(segment: string): JwsHeader | null {
  const cached = headerCache.get(segment);
  if (cached !== undefined) return cached;
  const value = SEGMENT.test(segment) && isCanonicalBase64url(segment) ? parseJson(segment) : undefined;
  let header: JwsHeader | null = null;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { alg, kid, typ } = value as Record<string, unknown>;
    // `crit` would demand extensions we do not implement (RFC 7515 §4.1.11): refuse such tokens, whatever it lists.
    if (typeof alg === 'string' && !('crit' in value)) {
      header = { alg, kid: typeof kid === 'string' ? kid : undefined, typ: typeof typ === 'string' ? typ : undefined };
    }
  }
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  headerCache.set(segment, header);
  return header;
}

/**
 * Splits a compact JWS; undefined when it is not one. Nothing is trusted yet. `lastDot`: the caller's
 * `token.lastIndexOf('.')`, when it has it already (the verifier looks its cache up by the signature segment).
 */
export function parseJws(token: string, lastDot = token.lastIndexOf('.')): ParsedJws | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  // Exactly two dots: the second one is the last one.
  if (first <= 0 || second === -1 || second !== lastDot) return undefined;
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  // An empty signature is let through here so that `alg: none` is refused for its algorithm, by name.
  if (payloadSegment === '' || !isCanonicalBase64url(payloadSegment)) return undefined;
  if (signatureSegment !== '' && (!SEGMENT.test(signatureSegment) || !isCanonicalBase64url(signatureSegment))) return undefined;
  const header = parseHeader(headerSegment);
  if (!header) return undefined;
  return { header, payloadSegment, signingInput: token.slice(0, second), signatureSegment };
}

/** Verifies the signature with `key`, whose algorithm the caller has matched against the header. */
export function verifySignature(jws: ParsedJws, alg: KitAlg, key: KeyObject): boolean {
  try {
    const data = dataScratch.latin1(jws.signingInput);
    const signature = signatureScratch.base64url(jws.signatureSegment);
    if (alg === 'EdDSA') return cryptoVerify(null, data, key, signature);
    // RS256 is RSASSA-PKCS1-v1_5 (node's default padding for an RSA key); ES256 signatures are r‖s (RFC 7518 §3.4).
    if (alg === 'RS256') return cryptoVerify('sha256', data, key, signature);
    return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** The payload as an object, or undefined. Call only after the signature held. */
export function decodePayload(jws: ParsedJws): Record<string, unknown> | undefined {
  if (!SEGMENT.test(jws.payloadSegment)) return undefined;
  const value = parseJson(jws.payloadSegment);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
