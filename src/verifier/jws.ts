/**
 * Compact JWS parsing and signature checks with node:crypto directly: no WebCrypto round trip, no promise,
 * so a token whose key is cached verifies synchronously. Only EdDSA (Ed25519) and ES256 are accepted, and
 * only with a key that declares that algorithm: `none`, HMAC and mismatches never reach a signature check.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';

export type KitAlg = 'EdDSA' | 'ES256';

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
  signature: Buffer;
}

export const MAX_TOKEN_LENGTH = 16_384;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

// Headers repeat across tokens (same kid, alg, typ): parse each distinct one once.
const headerCache = new Map<string, JwsHeader | null>();
const HEADER_CACHE_MAX = 256;

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function parseHeader(segment: string): JwsHeader | null {
  const cached = headerCache.get(segment);
  if (cached !== undefined) return cached;
  const value = SEGMENT.test(segment) ? parseJson(segment) : undefined;
  let header: JwsHeader | null = null;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const { alg, kid, typ } = value as Record<string, unknown>;
    // `crit` would demand extensions we do not implement (RFC 7515 §4.1.11): refuse such tokens.
    if (typeof alg === 'string' && !('crit' in value)) {
      header = { alg, kid: typeof kid === 'string' ? kid : undefined, typ: typeof typ === 'string' ? typ : undefined };
    }
  }
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  headerCache.set(segment, header);
  return header;
}

/** Splits a compact JWS; undefined when it is not one. Nothing is trusted yet. */
export function parseJws(token: string): ParsedJws | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second === -1 || token.indexOf('.', second + 1) !== -1) return undefined;
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  // An empty signature is let through here so that `alg: none` is refused for its algorithm, by name.
  if (payloadSegment === '' || (signatureSegment !== '' && !SEGMENT.test(signatureSegment))) return undefined;
  const header = parseHeader(headerSegment);
  if (!header) return undefined;
  return { header, payloadSegment, signingInput: token.slice(0, second), signature: Buffer.from(signatureSegment, 'base64url') };
}

/** Verifies the signature with `key`, whose algorithm the caller has matched against the header. */
export function verifySignature(jws: ParsedJws, alg: KitAlg, key: KeyObject): boolean {
  try {
    const data = Buffer.from(jws.signingInput, 'latin1');
    return alg === 'EdDSA'
      ? cryptoVerify(null, data, key, jws.signature)
      : cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
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
