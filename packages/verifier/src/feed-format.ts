/**
 * The revocation feed's wire format (GET /events, Server-Sent Events). Each SSE message has
 * `id: <monotonic revocation id>`, `event: revocation` and `data: <compact JWS>`: a Security Event Token
 * (RFC 8417, `typ: secevent+jwt`) signed with the engine's active key, whose `events` claim holds one
 * OpenID CAEP `session-revoked` event extended with Token Warden's subject. Heartbeats are SSE comments
 * (`: hb <ms>`) every HEARTBEAT_MS. This file is the one definition of the format: the token service
 * (src/main/http) imports it from this package, as any other consumer of the feed can.
 */
export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const SET_TYP = 'secevent+jwt';
export const FEED_HEARTBEAT_MS = 5_000;
/** SSE comment sent once the replay after a (re)connect is complete: a subscriber's state is current from then on. */
export const FEED_READY_COMMENT = 'ready';
/** `error` of the 429 that refuses a connection beyond the client's cap (with Retry-After; docs/feed.md). */
export const FEED_TOO_MANY_CONNECTIONS = 'too_many_connections';

/** What was revoked. `user` carries the not-before: every token of that user with iat*1000 < notBefore dies. */
export type FeedSubject =
  | { format: 'opaque'; kind: 'session'; id: string; user_id: string }
  | { format: 'opaque'; kind: 'user'; id: string; not_before: number }
  | { format: 'opaque'; kind: 'jti'; id: string; exp: number; user_id: string | null }
  | { format: 'opaque'; kind: 'key'; id: string };

/** The claims of one feed SET. `jti` is the feed id as a string; times in seconds except `not_before`/`exp` (ms). */
export interface FeedSetClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  events: {
    [CAEP_SESSION_REVOKED]: {
      subject: FeedSubject;
      event_timestamp: number;
      initiating_entity: 'admin' | 'user' | 'policy' | 'system';
      reason_admin?: { en: string };
    };
  };
}

/**
 * The feed format's version, MAJOR.MINOR. A minor adds only what a reader of the same major may ignore (a new
 * SSE event name, a new claim); a major changes what existing messages mean, and a reader that knows an older
 * major must refuse the feed instead of guessing. The service announces it as `revocation_feed_version` in its
 * metadata and in the stream's FEED_VERSION_HEADER. History: this package's CHANGELOG.md.
 */
export const FEED_FORMAT_VERSION = '1.1';
/** The major this package reads. */
export const FEED_FORMAT_MAJOR = 1;
/** Response header of GET /events naming the feed format version of that stream. */
export const FEED_VERSION_HEADER = 'Token-Warden-Feed-Version';

/**
 * Format 1.1: the SSE event name of a key-retiring announcement. It has no `id` (it is no revocation and
 * never moves Last-Event-ID) and its data is a SET whose KEY_RETIRING_EVENT says when a signing key stops
 * verifying. Sent after the replay of every (re)connect, before `ready`, and again after every key change.
 */
export const FEED_KEY_RETIRING = 'key-retiring';
/** Format 1.1: the SET event type of a key-retiring announcement (Token Warden's own, not CAEP's). */
export const KEY_RETIRING_EVENT = 'urn:token-warden:secevent:key-retiring';

/** The claims of a key-retiring SET. `retires_at` is ms since the epoch; `jti` is `key-retiring:<kid>:<retires_at>`. */
export interface KeyRetiringSetClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  events: {
    [KEY_RETIRING_EVENT]: {
      subject: { format: 'opaque'; kind: 'key'; id: string };
      retires_at: number;
    };
  };
}
