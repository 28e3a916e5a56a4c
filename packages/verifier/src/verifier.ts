/**
 * `createVerifier`: local access-token verification for a resource server, kept honest by the revocation
 * feed. The hot path is synchronous when the signing key is cached: a repeated token costs one cache hit
 * plus the expiry and revocation checks, which are never cached; a new token costs one node:crypto verify.
 */
import type { AccessTokenClaims } from './verdict-reasons.js';
import { audienceMatches, parseAccessClaims } from './claims.js';
import { FeedClient } from './feed-client.js';
import { decodePayload, isKitAlg, parseJws, verifySignature, type JwsHeader, type ParsedJws } from './jws.js';
import { discover, KeySet, type CachedKey, type ServiceEndpoints } from './key-set.js';
import { createMiddleware, type VerifierMiddleware } from './middleware.js';
import { RevocationState } from './revocation-state.js';
import { TokenCache } from './token-cache.js';
import type { FeedReceiptRecord, FeedState, KitReason, KitVerdict, RevocationApplied, VerifierEvents, VerifierOptions } from './types.js';

const ACCEPTED_TYP = new Set(['at+jwt', 'application/at+jwt']);
const MAX_RECEIPTS = 1000;
const PURGE_EVERY_MS = 60_000;
/** Session revocations are remembered this long: well past any sane access-token lifetime. */
const SESSION_RETAIN_MS = 24 * 3600_000;

/**
 * The verified-token cache (token-cache.ts) holds each verified token's static part: its claims, labelled with the
 * kid that signed it. Indexed by the signature and matched on the whole token: a forged header or payload under a
 * genuine signature is a miss and fails its signature check.
 */

export interface VerifierStatus {
  state: FeedState;
  lastEventId: number;
  revoked: { jtis: number; sessions: number; users: number; kids: number };
}

export interface Verifier {
  /**
   * The verdict for a bearer token (the token itself, without `Bearer `: see `bearerToken()`), for any framework.
   * Synchronous when its key is cached and the feed is live; a promise while the kit fetches the JWKS for an
   * unknown kid or introspects (feed silent): `await` it either way. Never throws or rejects for a bad token:
   * anything that is not a well-formed token, `undefined` and `null` included, is `malformed`.
   */
  verify(token: unknown): KitVerdict | Promise<KitVerdict>;
  /** Discovers the service, loads its keys and subscribes to the feed; resolves when the state is current. */
  start(): Promise<void>;
  stop(): void;
  /** The last applied feed events: id and when this kit applied them. */
  receipts(): FeedReceiptRecord[];
  on<E extends keyof VerifierEvents>(event: E, listener: VerifierEvents[E]): () => void;
  /** node:http / Express middleware: 401 with `WWW-Authenticate: Bearer error="invalid_token"` unless active. */
  middleware(): VerifierMiddleware;
  status(): VerifierStatus;
}

function inactive(reason: KitReason, claims?: AccessTokenClaims): KitVerdict {
  return claims ? { active: false, reason, claims } : { active: false, reason };
}

function basicAuthorization(clientId: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode both parts before base64.
  const encode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`;
}

export function createVerifier(options: VerifierOptions): Verifier {
  if (!/^https?:\/\/[^/]+$/.test(options.issuer)) throw new TypeError('issuer must be a base URL like http://127.0.0.1:43117');
  if (!options.audience || !options.clientId || !options.clientSecret) throw new TypeError('audience, clientId and clientSecret are required');
  const clock = options.clock ?? { now: () => Date.now() };
  const skewMs = (options.clockSkewSeconds ?? 5) * 1000;
  const iatSkewMs = Math.max(skewMs, 1000);
  const maxSilenceMs = options.maxFeedSilenceMs ?? 15_000;
  const introspectionTimeoutMs = options.introspectionTimeoutMs ?? 2_000;
  const authorization = basicAuthorization(options.clientId, options.clientSecret);
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));

  const keys = new KeySet(clock, options.jwksMinRefetchMs ?? 1_000, options.jwksRefreshMs ?? 60_000, fetchImpl, (kids) => emit('keys', kids));
  const state = new RevocationState(SESSION_RETAIN_MS, skewMs);
  const cache = new TokenCache<AccessTokenClaims>(options.cacheSize ?? 10_000);
  const receiptLog: FeedReceiptRecord[] = [];
  const listeners: { [E in keyof VerifierEvents]: Set<VerifierEvents[E]> } = { revocation: new Set(), state: new Set(), error: new Set(), keys: new Set(), retiring: new Set() };
  const emit = <E extends keyof VerifierEvents>(event: E, ...args: Parameters<VerifierEvents[E]>) => {
    for (const listener of listeners[event]) (listener as (...a: Parameters<VerifierEvents[E]>) => void)(...args);
  };

  let discovery: Promise<ServiceEndpoints> | undefined;
  const endpoints = (): Promise<ServiceEndpoints> => {
    discovery ??= discover(fetchImpl, options.issuer).then(
      (found) => {
        keys.setJwksUri(found.jwksUri);
        return found;
      },
      (error: unknown) => {
        discovery = undefined; // try again next time
        throw error;
      },
    );
    return discovery;
  };

  let lastPurge = clock.now();
  /** The routine JWKS refresh, in the background: verification goes on with the keys in hand meanwhile. */
  const refreshKeysIfDue = (now: number) => {
    if (keys.refreshDue(now)) keys.refresh().catch((error: unknown) => emit('error', error instanceof Error ? error : new Error(String(error))));
  };
  const feed = new FeedClient({
    issuer: options.issuer,
    clientId: options.clientId,
    authorization,
    clock,
    maxSilenceMs,
    reconnectInitialMs: options.reconnectInitialMs ?? 100,
    reconnectMaxMs: options.reconnectMaxMs ?? 5_000,
    ackDelayMs: options.ackDelayMs ?? 20,
    keys,
    fetch: fetchImpl,
    endpoints,
    apply(id, subject) {
      const now = clock.now();
      state.apply(subject, now);
      if (subject.kind === 'key') keys.revoke(subject.id);
      const appliedAt = clock.now();
      receiptLog.push({ id, appliedAt });
      if (receiptLog.length > MAX_RECEIPTS) receiptLog.splice(0, receiptLog.length - MAX_RECEIPTS);
      const applied: RevocationApplied = { id, appliedAt, subject };
      emit('revocation', applied);
      return appliedAt;
    },
    retire(retiring) {
      keys.scheduleRetirement(retiring.kid, retiring.retiresAt);
      emit('retiring', retiring);
    },
    onState: (next) => emit('state', next),
    onError: (error) => emit('error', error),
    onTick(now) {
      if (now - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now;
        state.purge(now);
      }
      refreshKeysIfDue(now);
    },
  });

  async function introspect(token: string, claims: AccessTokenClaims): Promise<KitVerdict> {
    try {
      const found = await endpoints();
      const response = await fetchImpl(found.introspectionEndpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(introspectionTimeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return inactive('feed_unavailable', claims);
      }
      const body = (await response.json()) as unknown;
      const record = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      if (record.active === true && (record.jti === undefined || record.jti === claims.jti)) return { active: true, claims };
      if (record.active === false || record.active === true) return inactive('introspection_inactive', claims);
      return inactive('feed_unavailable', claims);
    } catch {
      return inactive('feed_unavailable', claims);
    }
  }

  /** Everything that can change after a token was first verified: time, revocations, feed freshness. */
  function judge(token: string, lastDot: number, claims: AccessTokenClaims, kid: string, now: number): KitVerdict | Promise<KitVerdict> {
    if (claims.exp * 1000 <= now - skewMs) {
      cache.delete(token, lastDot);
      return inactive('expired', claims);
    }
    if (claims.nbf !== undefined && claims.nbf * 1000 > now + skewMs) return inactive('not_yet_valid', claims);
    if (claims.iat * 1000 > now + iatSkewMs) return inactive('not_yet_valid', claims);
    // The key must still be in the JWKS: a token verified earlier stops with its key's retirement or revocation.
    if (!keys.has(kid)) {
      cache.delete(token, lastDot);
      return inactive(keys.isRevoked(kid) ? 'revoked_kid' : 'retired_kid', claims);
    }
    // Retired from the instant the feed announced, as at the service (its retiresAt already holds the skew).
    if (keys.isRetiredAt(kid, now)) return inactive('retired_kid', claims);
    const revoked = state.check(claims, kid);
    if (revoked) return inactive(revoked, claims);
    if (feed.healthy(now)) return { active: true, claims };
    return introspect(token, claims);
  }

  // The typ verdict of the last header seen: parseJws hands out one object per distinct header, and they repeat.
  let typHeader: JwsHeader | undefined;
  let typAccepted = false;

  function finish(jws: ParsedJws, key: CachedKey, token: string, now: number): KitVerdict | Promise<KitVerdict> {
    if (key.alg !== jws.header.alg) return inactive('unsupported_alg');
    if (!verifySignature(jws, key.alg, key.key)) return inactive('bad_signature');
    const payload = decodePayload(jws);
    const claims = payload && parseAccessClaims(payload, options);
    if (!claims) return inactive('malformed');
    if (jws.header !== typHeader) {
      typHeader = jws.header;
      typAccepted = ACCEPTED_TYP.has(typHeader.typ?.toLowerCase() ?? '');
    }
    if (!typAccepted) return inactive('wrong_typ', claims);
    if (claims.iss !== options.issuer) return inactive('wrong_issuer', claims);
    if (!audienceMatches(claims.aud, options.audience)) return inactive('wrong_audience', claims);
    cache.set(token, jws.lastDot, claims, key.kid);
    return judge(token, jws.lastDot, claims, key.kid, now);
  }

  function verify(token: unknown): KitVerdict | Promise<KitVerdict> {
    if (typeof token !== 'string') return inactive('malformed');
    const now = clock.now();
    refreshKeysIfDue(now);
    const lastDot = token.lastIndexOf('.');
    const slot = cache.slotOf(token, lastDot);
    if (slot >= 0) return judge(token, lastDot, cache.valueAt(slot), cache.labelAt(slot), now);
    const jws = parseJws(token, lastDot);
    if (!jws) return inactive('malformed');
    const alg = jws.header.alg;
    if (!isKitAlg(alg)) return inactive('unsupported_alg');
    const kid = jws.header.kid;
    if (kid === undefined) return inactive('unknown_kid');
    if (keys.isRevoked(kid)) return inactive('revoked_kid');
    if (keys.isDropped(kid)) return inactive('retired_kid');
    const key = keys.get(kid);
    if (key) return finish(jws, key, token, now);
    return endpoints()
      .then(() => keys.fetchFor(kid))
      .then(
        (fetched) => (fetched ? finish(jws, fetched, token, clock.now()) : inactive(keys.isRevoked(kid) ? 'revoked_kid' : keys.isDropped(kid) ? 'retired_kid' : 'unknown_kid')),
        () => inactive('unknown_kid'),
      );
  }

  const verifier: Verifier = {
    verify,
    start: () => feed.start(),
    stop: () => feed.stop(),
    receipts: () => receiptLog.slice(),
    on(event, listener) {
      const set = listeners[event] as Set<typeof listener>;
      set.add(listener);
      return () => set.delete(listener);
    },
    middleware: () => createMiddleware(verify),
    status: () => ({ state: feed.currentState, lastEventId: feed.lastEventId, revoked: state.size }),
  };
  return verifier;
}
