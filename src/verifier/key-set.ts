/**
 * The token service's public keys, fetched from the metadata's `jwks_uri` and kept as KeyObjects. An unknown
 * kid triggers one refetch, rate-limited so a stream of forged kids cannot turn into a stream of requests;
 * concurrent misses share the same request. Keys revoked on the feed are dropped and never re-admitted.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KitAlg } from './jws';
import type { KitClock } from './types';

export interface CachedKey {
  kid: string;
  alg: KitAlg;
  key: KeyObject;
}

export interface ServiceEndpoints {
  jwksUri: string;
  introspectionEndpoint: string;
  feedEndpoint: string;
  feedAckEndpoint: string;
}

const FETCH_TIMEOUT_MS = 5_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function getJson(fetchImpl: typeof fetch, url: string): Promise<unknown> {
  const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as unknown;
}

/** Reads RFC 8414 metadata and checks that it speaks for `issuer` (§3.3). */
export async function discover(fetchImpl: typeof fetch, issuer: string): Promise<ServiceEndpoints> {
  const metadata = await getJson(fetchImpl, `${issuer}/.well-known/oauth-authorization-server`);
  if (!isRecord(metadata) || metadata.issuer !== issuer) throw new Error('The authorization server metadata does not match the issuer.');
  const url = (name: string, fallback: string) => (typeof metadata[name] === 'string' ? (metadata[name] as string) : fallback);
  if (typeof metadata.jwks_uri !== 'string') throw new Error('The authorization server metadata has no jwks_uri.');
  return {
    jwksUri: metadata.jwks_uri,
    introspectionEndpoint: url('introspection_endpoint', `${issuer}/oauth/introspect`),
    feedEndpoint: url('revocation_feed_endpoint', `${issuer}/events`),
    feedAckEndpoint: url('revocation_feed_ack_endpoint', `${issuer}/events/ack`),
  };
}

/** A JWK we can use, or undefined: Ed25519 for EdDSA, P-256 for ES256, signature use only. */
function importJwk(jwk: unknown): CachedKey | undefined {
  if (!isRecord(jwk) || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) return undefined;
  let alg: KitAlg;
  if (jwk.alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519') alg = 'EdDSA';
  else if (jwk.alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256') alg = 'ES256';
  else return undefined;
  if ('d' in jwk) return undefined; // a private key has no business in a JWKS
  try {
    const { kty, crv, x, y } = jwk as Record<string, string>;
    const key = createPublicKey({ key: alg === 'EdDSA' ? { kty, crv, x } : { kty, crv, x, y }, format: 'jwk' });
    return { kid: jwk.kid, alg, key };
  } catch {
    return undefined;
  }
}

export class KeySet {
  private keys = new Map<string, CachedKey>();
  private readonly revoked = new Set<string>();
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private scheduled: Promise<void> | undefined;
  private jwksUri: string | undefined;

  constructor(
    private readonly clock: KitClock,
    private readonly minRefetchMs: number,
    private readonly fetchImpl: typeof fetch,
  ) {}

  setJwksUri(uri: string): void {
    this.jwksUri = uri;
  }

  get loaded(): boolean {
    return this.lastFetchAt !== Number.NEGATIVE_INFINITY;
  }

  /** The cached key, synchronously; undefined when unknown (call `fetchFor`). */
  get(kid: string): CachedKey | undefined {
    return this.keys.get(kid);
  }

  isRevoked(kid: string): boolean {
    return this.revoked.has(kid);
  }

  /** Marks a kid revoked (from the feed): its key is dropped and ignored by later fetches. */
  revoke(kid: string): void {
    this.revoked.add(kid);
    this.keys.delete(kid);
  }

  /**
   * The key for a kid not in the cache: refetches the JWKS, at most once per `minRefetchMs`. A miss inside
   * that window waits for the next allowed fetch instead of failing, so a token signed by a freshly rotated
   * key verifies; forged kids still cost at most one request per window, whatever their number.
   */
  async fetchFor(kid: string): Promise<CachedKey | undefined> {
    if (this.revoked.has(kid)) return undefined;
    if (this.inFlight) await this.inFlight;
    if (this.keys.has(kid) || this.revoked.has(kid)) return this.keys.get(kid);
    const waitMs = this.lastFetchAt + this.minRefetchMs - this.clock.now();
    if (waitMs > 0) {
      this.scheduled ??= new Promise<void>((resolve) => setTimeout(resolve, Math.min(waitMs, this.minRefetchMs))).then(() => {
        this.scheduled = undefined;
        return this.refresh();
      });
      await this.scheduled;
    } else {
      await this.refresh();
    }
    return this.keys.get(kid);
  }

  /** Fetches the JWKS now (shares a request already on its way). */
  refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    if (!this.jwksUri) throw new Error('The JWKS location is not known yet.');
    this.lastFetchAt = this.clock.now();
    const body = await getJson(this.fetchImpl, this.jwksUri);
    const list = isRecord(body) && Array.isArray(body.keys) ? body.keys : [];
    const next = new Map<string, CachedKey>();
    for (const jwk of list) {
      const key = importJwk(jwk);
      if (key && !this.revoked.has(key.kid)) next.set(key.kid, key);
    }
    this.keys = next;
  }
}
