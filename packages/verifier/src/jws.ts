/**
 * Compact JWS parsing and signature checks with node:crypto directly: no WebCrypto round trip, no promise,
 * so a token whose key is cached verifies synchronously. Only EdDSA (Ed25519), ES256 and RS256 are accepted,
 * and only with a key that declares that algorithm: `none`, HMAC and mismatches never reach a signature check.
 * Each token has one spelling: non-canonical base64url, a character outside the base64url alphabet and any `crit` header
 * are refused before anything else.
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

/**
 * A compact JWS by offsets into the token: the verify path slices only what it decodes (on a cold verify every
 * string made is time taken from a ~110 µs budget of which the kit may add 5 %).
 */
export interface ParsedJws {
  header: JwsHeader;
  token: string;
  /** Index of the first dot: the header is `token[0, firstDot)`. */
  firstDot: number;
  /** Index of the second (last) dot: the signed bytes are `token[0, lastDot)`, the signature follows it. */
  lastDot: number;
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
export function isCanonicalBase64url(segment: string, start = 0, end = segment.length): boolean {
  const rest = (end - start) % 4;
  if (rest === 0) return segment.charCodeAt(end - 1) !== 61; // no '=' padding
  if (rest === 1) return false;
  // Two leftover characters carry one byte (4 spare bits), three carry two bytes (2 spare bits).
  return (sextet(segment.charCodeAt(end - 1)) & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * The payload and the signature in one sticky scan from the payload's first character: base64url, one dot, base64url
 * (or nothing) to the end. A match proves that the token has no third dot and nothing but the alphabet after its
 * header, so the signing input written as latin1 bytes is exactly the token's text.
 */
const PAYLOAD_AND_SIGNATURE = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/y;

// Headers repeat across tokens (same kid, alg, typ): parse each distinct one once. The last one seen is checked
// first, with no scan for the first dot, as nearly every token has the header of the one before it.
const headerCache = new Map<string, JwsHeader | null>();
const HEADER_CACHE_MAX = 256;
let lastHeaderSegment = '';
let lastHeader: JwsHeader | null = null;

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

  /** The first `length` characters of `text` (ASCII here: base64url and a dot) as bytes. */
  latin1Prefix(text: string, length: number): Uint8Array {
    return this.first(this.bytes.write(text, 0, length, 'latin1'));
  }

  /** A base64url segment (already checked: canonical, alphabet) as bytes. */
  base64url(segment: string): Uint8Array {
    return this.first(this.bytes.write(segment, 'base64url'));
  }

  /**
   * A base64url segment's bytes as UTF-8 text. No view is made (the signing input's stays valid for the next
   * token of its length), and no ASCII test first: V8's UTF-8 decoding of ASCII is as fast as latin1's.
   */
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
 * `token.lastIndexOf('.')`, when it has it already (the verifier indexes its cache by the signature).
 * Every character of the payload and the signature is checked to be base64url here, before the signature check
 * (the payload's scan also proves that there is no third dot).
 */
export function parseJws(token: string, lastDot = token.lastIndexOf('.')): ParsedJws | undefined {
  if (token.length > MAX_TOKEN_LENGTH || lastDot <= 0) return undefined;
  // Nearly every token has the header of the one before it: when it starts with that header and a dot, the
  // first dot is known without a scan, and so is the header. (A slice compared with === costs ~0.05 µs here;
  // startsWith, on the sliced strings tokens usually are, measured ~0.3 µs.)
  let firstDot = lastHeaderSegment.length;
  const sameHeader = firstDot !== 0 && firstDot < lastDot && token.charCodeAt(firstDot) === 46 && token.slice(0, firstDot) === lastHeaderSegment;
  if (!sameHeader) firstDot = token.indexOf('.');
  if (firstDot <= 0 || lastDot <= firstDot + 1) return undefined;
  PAYLOAD_AND_SIGNATURE.lastIndex = firstDot + 1;
  if (!PAYLOAD_AND_SIGNATURE.test(token) || !isCanonicalBase64url(token, firstDot + 1, lastDot)) return undefined;
  // An empty signature is let through here so that `alg: none` is refused for its algorithm, by name.
  if (lastDot + 1 < token.length && !isCanonicalBase64url(token, lastDot + 1, token.length)) return undefined;
  let header: JwsHeader | null;
  if (sameHeader) header = lastHeader;
  else {
    lastHeaderSegment = token.slice(0, firstDot);
    header = lastHeader = parseHeader(lastHeaderSegment);
  }
  return header ? { header, token, firstDot, lastDot } : undefined;
}

/** Verifies the signature with `key`, whose algorithm the caller has matched against the header. */
export function verifySignature(jws: ParsedJws, alg: KitAlg, key: KeyObject): boolean {
  try {
    const data = dataScratch.latin1Prefix(jws.token, jws.lastDot);
    const signature = signatureScratch.base64url(jws.token.slice(jws.lastDot + 1));
    if (alg === 'EdDSA') return cryptoVerify(null, data, key, signature);
    // RS256 is RSASSA-PKCS1-v1_5 (node's default padding for an RSA key); ES256 signatures are r‖s (RFC 7518 §3.4).
    if (alg === 'RS256') return cryptoVerify('sha256', data, key, signature);
    return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** The payload as an object, or undefined. Call only after the signature held (parseJws checked its alphabet). */
export function decodePayload(jws: ParsedJws): Record<string, unknown> | undefined {
  const value = parseJson(jws.token.slice(jws.firstDot + 1, jws.lastDot));
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
