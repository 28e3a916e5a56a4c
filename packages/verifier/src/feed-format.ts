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
