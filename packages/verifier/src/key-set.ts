/**
 * The token service's public keys, fetched from the metadata's `jwks_uri` and kept as KeyObjects. An unknown
 * kid triggers one refetch, rate-limited so a stream of forged kids cannot turn into a stream of requests;
 * concurrent misses share the same request. Every fetch replaces the set: a key the JWKS no longer lists is
 * gone at once and known as retired. The JWKS is fetched again once older than the kit's refresh period or
 * its Cache-Control max-age, whichever is shorter. Keys revoked on the feed are dropped and never re-admitted.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KitAlg } from './jws.js';
import type { KitClock } from './types.js';

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
  /** The metadata's `revocation_feed_version`; undefined when it announces none (a 1.0 service). */
  feedVersion: string | undefined;
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
    feedVersion: typeof metadata.revocation_feed_version === 'string' ? metadata.revocation_feed_version : undefined,
  };
}

/** RSA moduli below this are refused (RFC 7518 §3.3: 2048 bits or larger). */
export const MIN_RSA_BITS = 2048;

/** A JWK we can use, or undefined: Ed25519 for EdDSA, P-256 for ES256, RSA ≥ 2048 bits for RS256; signature use only. */
function importJwk(jwk: unknown): CachedKey | undefined {
  if (!isRecord(jwk) || typeof jwk.kid !== 'string' || (jwk.use !== undefined && jwk.use !== 'sig')) return undefined;
  let alg: KitAlg;
  if (jwk.alg === 'EdDSA' && jwk.kty === 'OKP' && jwk.crv === 'Ed25519') alg = 'EdDSA';
  else if (jwk.alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256') alg = 'ES256';
  else if (jwk.alg === 'RS256' && jwk.kty === 'RSA') alg = 'RS256';
  else return undefined;
  // A private key has no business in a JWKS (`d` for every kty; RSA's CRT parameters go with it).
  if ('d' in jwk || 'p' in jwk) return undefined;
  try {
    const { kty, crv, x, y, n, e } = jwk as Record<string, string>;
    const fields = alg === 'EdDSA' ? { kty, crv, x } : alg === 'ES256' ? { kty, crv, x, y } : { kty, n, e };
    const key = createPublicKey({ key: fields, format: 'jwk' });
    if (alg === 'RS256' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return undefined;
    return { kid: jwk.kid, alg, key };
  } catch {
    return undefined;
  }
}

/** The `max-age` of a Cache-Control header, ms; undefined when there is none. */
function maxAgeMs(cacheControl: string | null): number | undefined {
  if (!cacheControl) return undefined;
  if (/(?:^|,)\s*no-(?:store|cache)\s*(?:,|$)/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d{1,9})"?\s*(?:,|$)/i.exec(cacheControl);
  return match ? Number(match[1]) * 1000 : undefined;
}

const MAX_DROPPED = 1000;

export class KeySet {
  private keys = new Map<string, CachedKey>();
  private readonly revoked = new Set<string>();
  /** Kids an earlier JWKS listed and a later one no longer does: the service retired them. */
  private readonly dropped = new Set<string>();
  /** kid → when it stops verifying (ms), from the feed's key-retiring announcements. */
  private readonly retiring = new Map<string, number>();
  private lastFetchAt = Number.NEGATIVE_INFINITY;
  /** When the JWKS in hand goes stale: the routine refresh is due (see `refreshDue`). */
  private staleAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private scheduled: Promise<void> | undefined;
  private jwksUri: string | undefined;

  /**
   * `refreshMs`: the longest the kit keeps a JWKS before it fetches it again; the JWKS response's
   * Cache-Control max-age shortens it (never below `minRefetchMs`).
   */
  constructor(
    private readonly clock: KitClock,
    private readonly minRefetchMs: number,
    private readonly refreshMs: number,
    private readonly fetchImpl: typeof fetch,
    private readonly onLoad: (kids: string[]) => void = () => undefined,
  ) {}

  setJwksUri(uri: string): void {
    this.jwksUri = uri;
  }

  get loaded(): boolean {
    return this.lastFetchAt !== Number.NEGATIVE_INFINITY;
  }

  /** True once the JWKS in hand is older than its allowed age and no fetch is on its way. */
  refreshDue(now: number): boolean {
    return now >= this.staleAt && this.loaded && this.inFlight === undefined;
  }

  /** The cached key, synchronously; undefined when unknown (call `fetchFor`). */
  get(kid: string): CachedKey | undefined {
    return this.keys.get(kid);
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  isRevoked(kid: string): boolean {
    return this.revoked.has(kid);
  }

  /** True for a kid the JWKS used to list and no longer does (retired by the service). */
  isDropped(kid: string): boolean {
    return this.dropped.has(kid);
  }

  /**
   * True once `kid` is past the retirement instant the feed announced for it: refused from then on, by this
   * kit's clock, exactly when the service refuses it, without waiting for the JWKS to stop listing it.
   */
  isRetiredAt(kid: string, now: number): boolean {
    const at = this.retiring.get(kid);
    return at !== undefined && now >= at;
  }

  /** Records a key-retiring announcement (idempotent; a later one for the same kid replaces it). */
  scheduleRetirement(kid: string, retiresAt: number): void {
    this.retiring.set(kid, retiresAt);
  }

  /** Marks a kid revoked (from the feed): its key is dropped and ignored by later fetches. */
  revoke(kid: string): void {
    this.revoked.add(kid);
    this.keys.delete(kid);
  }

  /**
   * The key for a kid not in the cache: refetches the JWKS, at most once per `minRefetchMs`. A miss inside
   * that window waits for the next allowed fetch instead of failing, so a token signed by a freshly rotated
   * key verifies; forged kids still cost at most one request per window, whatever their number. A kid the
   * service has retired is not fetched for: it will not come back.
   */
  async fetchFor(kid: string): Promise<CachedKey | undefined> {
    if (this.revoked.has(kid) || this.dropped.has(kid)) return undefined;
    if (this.inFlight) await this.inFlight;
    if (this.keys.has(kid) || this.revoked.has(kid) || this.dropped.has(kid)) return this.keys.get(kid);
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
    const startedAt = this.clock.now();
    this.lastFetchAt = startedAt;
    // A failed fetch is retried after minRefetchMs, not after a whole refresh period.
    this.staleAt = startedAt + this.minRefetchMs;
    const response = await this.fetchImpl(this.jwksUri, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`GET ${this.jwksUri} answered ${response.status}`);
    }
    const body = (await response.json()) as unknown;
    // A garbled answer says nothing about which keys were retired: keep the set in hand.
    if (!isRecord(body) || !Array.isArray(body.keys)) throw new Error(`GET ${this.jwksUri} did not answer a JWK set.`);
    const next = new Map<string, CachedKey>();
    for (const jwk of body.keys) {
      const key = importJwk(jwk);
      if (key && !this.revoked.has(key.kid)) next.set(key.kid, key);
    }
    // The JWKS lists exactly the keys that may verify (next, active, retiring): anything it no longer lists
    // stops verifying now, including tokens already in the verified-token cache (they check `has`).
    for (const kid of this.keys.keys()) if (!next.has(kid)) this.dropped.add(kid);
    for (const kid of next.keys()) this.dropped.delete(kid);
    if (this.dropped.size > MAX_DROPPED) this.dropped.clear();
    // A schedule matters only while the JWKS lists its key: once gone, the kid is known as dropped instead.
    for (const kid of this.retiring.keys()) if (!next.has(kid)) this.retiring.delete(kid);
    this.keys = next;
    const ageMs = Math.min(this.refreshMs, maxAgeMs(response.headers.get('cache-control')) ?? this.refreshMs);
    this.staleAt = startedAt + Math.max(this.minRefetchMs, ageMs);
    this.onLoad([...next.keys()]);
  }
}
