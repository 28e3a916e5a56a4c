/**
 * The resource-server kit's public types. A verdict is the service's `Verdict` (verdict-reasons.ts) with two
 * kit-only reasons: the kit cannot tell why the service said "inactive" during an introspection fallback, and it fails closed
 * when neither the feed nor introspection can vouch for a token.
 */
import type { AccessTokenClaims, VerdictReason } from './verdict-reasons.js';

export type KitReason =
  | VerdictReason
  /** The revocation feed is silent past its bound and introspection failed too: fail closed. */
  | 'feed_unavailable'
  /** Introspection (the fallback while the feed is silent) answered `active: false`. */
  | 'introspection_inactive';

export type KitVerdict = { active: true; claims: AccessTokenClaims } | { active: false; reason: KitReason; claims?: AccessTokenClaims };

export const KIT_REASON_TEXT: Record<'feed_unavailable' | 'introspection_inactive', string> = {
  feed_unavailable: 'The revocation feed and introspection are both unavailable; the token is refused (fail closed).',
  introspection_inactive: 'The token service says the token is not active.',
};

/** Minimal clock (ms since the epoch); the default reads Date.now(). */
export interface KitClock {
  now(): number;
}

export interface VerifierOptions {
  /** The token service's base URL, exactly the `iss` of its tokens, e.g. `http://127.0.0.1:43117`. */
  issuer: string;
  /** This API's audience; tokens whose `aud` does not contain it are refused. */
  audience: string;
  /** A confidential client of the token service (for the feed, receipts and introspection). */
  clientId: string;
  clientSecret: string;
  /**
   * How long the feed may be silent (no event, no heartbeat) before the kit stops trusting its local
   * revocation state and introspects each token instead. Default 15 000 ms (three heartbeats).
   */
  maxFeedSilenceMs?: number;
  /** Allowed clock difference for exp/nbf/iat, seconds. Default 5. */
  clockSkewSeconds?: number;
  clock?: KitClock;
  /** Verified-token cache size (signature and static claims), rounded up to a power of two, two-way set-associative. Default 10 000, at least 2. */
  cacheSize?: number;
  /** At most one JWKS refetch (for an unknown kid, or after a failed fetch) per this many ms. Default 1 000. */
  jwksMinRefetchMs?: number;
  /**
   * The longest the kit uses a JWKS before fetching it again, ms; the JWKS response's Cache-Control max-age
   * (60 s from Token Warden) shortens it. A key the JWKS no longer lists stops verifying at once. Default 60 000.
   */
  jwksRefreshMs?: number;
  /** Timeout of one introspection request, ms. Default 2 000. */
  introspectionTimeoutMs?: number;
  /** Acknowledgements are batched for this long, ms. Default 20. */
  ackDelayMs?: number;
  /** Reconnect backoff: first delay and ceiling, ms. Defaults 100 and 5 000. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** The fetch used for every request (default: the global one), e.g. to route through a proxy agent. */
  fetch?: typeof fetch;
}

/** What the kit applied from one feed event. */
export type RevokedSubject =
  | { kind: 'session'; id: string; userId: string }
  | { kind: 'user'; id: string; notBefore: number }
  | { kind: 'jti'; id: string; exp: number; userId: string | null }
  | { kind: 'key'; id: string };

export interface FeedReceiptRecord {
  /** The feed event id. */
  id: number;
  /** When this kit applied it (ms, the kit's clock). */
  appliedAt: number;
}

export interface RevocationApplied extends FeedReceiptRecord {
  subject: RevokedSubject;
}

/**
 * `connecting`: no complete replay yet; `live`: the local state is current; `degraded`: the feed is silent
 * past the bound (introspection fallback); `incompatible`: the service speaks a feed format major this kit
 * cannot read (a FeedVersionError; introspection fallback until it can); `stopped`.
 */
export type FeedState = 'connecting' | 'live' | 'degraded' | 'incompatible' | 'stopped';

export interface VerifierEvents {
  revocation: (event: RevocationApplied) => void;
  state: (state: FeedState) => void;
  /** Feed, acknowledgement or JWKS trouble, for logs; the kit keeps retrying. */
  error: (error: Error) => void;
  /** After every JWKS fetch: the kids the kit now accepts (any other kid is refused). */
  keys: (kids: string[]) => void;
  /** A key-retiring announcement (feed format 1.1): `kid`'s tokens are refused from `retiresAt` (ms, the kit's clock). */
  retiring: (event: KeyRetiring) => void;
}

/** When a signing key stops verifying, as the feed announced it. */
export interface KeyRetiring {
  kid: string;
  /** ms since the epoch; already includes the service's clock skew. */
  retiresAt: number;
}
