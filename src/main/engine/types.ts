/**
 * The token engine's public surface, as the transports (HTTP token service, admin RPC, Electron IPC) and
 * the headless/desktop entry points use it. The implementation is `Engine` in ./engine.ts.
 */
import type { Verdict } from '../../shared/verdict';
import type { LiveEvent } from '../../shared/events';
import type { ClientRow, RevocationRow } from '../store/store';
import type { AdminHandlers } from './dispatch';
import type { AdminAccess } from './admin-access';
import type { FrontChannel } from './front-channel';
import type { EndSession } from './end-session';

export interface DeviceInfo {
  /** Human label, e.g. "Firefox on Linux" or "Ana's phone" */
  name: string;
  userAgent: string;
  ip: string;
}

export interface LoginRequest {
  username: string;
  password: string;
  clientId: string;
  device: DeviceInfo;
  rememberMe: boolean;
  scope?: string;
}

export interface RefreshRequest {
  refreshToken: string;
  clientId: string;
  /** Where the refresh came from (recorded on reuse events). */
  device: DeviceInfo;
}

/** The authorization code grant (RFC 6749 §4.1.3 with RFC 7636): the client is already identified by the transport. */
export interface CodeExchangeRequest {
  code: unknown;
  redirectUri: unknown;
  codeVerifier: unknown;
  clientId: string;
  /** The token request's device; the session records the browser's address and user agent instead (from its browser session). */
  device: DeviceInfo;
  /** Names a device from a user agent (the transport's rule), for the browser's user agent. */
  deviceName?: (userAgent: string) => string;
}

/** OpenID Connect UserInfo (Core §5.3): the claims, or the RFC 6750 error to answer with. */
export type UserinfoResult =
  | { ok: true; claims: { sub: string; preferred_username?: string } }
  | { ok: false; error: 'invalid_token' | 'insufficient_scope'; description: string };

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** access-token lifetime in seconds */
  expiresIn: number;
  scope: string;
  sessionId: string;
  userId: string;
  jti: string;
  rememberMe: boolean;
  /** OpenID Connect ID token, when the session's scope has `openid` and it came from an authorization code. */
  idToken?: string;
}

/** RFC 7662 response body. */
export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      /** RFC 6749 §7.1 type: `Bearer` for access tokens; absent for refresh tokens, which have none. */
      token_type?: 'Bearer';
      scope?: string;
      client_id: string;
      username: string;
      sub: string;
      aud?: string | string[];
      iss: string;
      exp: number;
      iat: number;
      jti?: string;
      sid: string;
    };

export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: string;
  use: 'sig';
}

/**
 * What the transport knows about revocation-feed subscribers. The engine cannot import the transport, so
 * the transport attaches this at start-up (see Engine.attachFeed).
 */
export interface FeedSource {
  receiptsFor(feedEventId: number): { clientId: string; appliedAt: number; receivedAt: number }[];
  /** Every instance's subscribers (the others' from the store on PostgreSQL: ../http/feed-presence.ts). */
  subscribers(): Promise<{ clientId: string; connectedAt: number; lastEventId: number }[]>;
}

export interface TokenEngine {
  readonly issuer: string;
  /**
   * Live events of the whole deployment (./deployment-events.ts): every audited event any instance on the
   * database committed (with its seq) and this instance's announced-only ones (seq null). For listeners that
   * show or forward; a listener that writes or counts uses onLocalEvent (one change, one action).
   */
  onEvent(listener: (event: LiveEvent) => void): () => void;
  /** This instance's own committed (and announced) events only. */
  onLocalEvent(listener: (event: LiveEvent) => void): () => void;
  /** Whether other instances may share this engine's database (PostgreSQL): a client's next request may reach any. */
  readonly sharedStore: boolean;

  /** Password grant for first-party (public) clients. Throws WardenError (invalid_credentials, user_blocked, login_throttled, session_limit_reached, invalid_client, unauthorized_client, invalid_scope). */
  login(request: LoginRequest): Promise<TokenSet>;
  /** Refresh grant with rotation and reuse detection. Throws WardenError with a refresh_* / session_* code. */
  refresh(request: RefreshRequest): Promise<TokenSet>;
  /**
   * Authorization code grant: PKCE S256, exact redirect URI, the code's own client, once. Throws WardenError
   * invalid_authorization_code (changing nothing), authorization_code_reused (after revoking the session the
   * code opened), unauthorized_client, user_blocked, session_limit_reached.
   */
  exchangeCode(request: CodeExchangeRequest): Promise<TokenSet>;
  /** OpenID Connect UserInfo for a bearer access token. */
  userinfo(accessToken: unknown): Promise<UserinfoResult>;
  /** RFC 7009: a client revokes one of its own tokens. Unknown tokens are ignored (§2.2); another client's throws unauthorized_client (§2.1). */
  revokeToken(token: string, clientId: string | null): Promise<void>;
  /** RFC 7662. */
  introspect(token: string): Promise<IntrospectionResponse>;
  /** Full local check of an access token, with a stable reason when it is not active. */
  verifyAccessToken(jwt: unknown): Promise<Verdict>;

  /** Confidential-client authentication (client_secret_basic). Throws invalid_client. */
  authenticateClient(clientId: string, secret: string): Promise<ClientRow>;
  getClient(clientId: string): Promise<ClientRow | undefined>;

  /** RFC 7517: active and retiring public keys. */
  jwks(): { keys: PublicJwk[] };
  /** Published keys that stop verifying at a known instant (retiring ones), for the feed's announcements. */
  retiringKeys(): Array<{ kid: string; retiresAt: number }>;
  /** Signs a Security Event Token (RFC 8417) for the revocation feed with the active key. */
  signSecurityEvent(claims: Record<string, unknown>): string;
  /** The revocation log, for the feed's resume (`Last-Event-ID`). */
  revocationsAfter(afterId: number, limit: number): Promise<RevocationRow[]>;
  /** Called for every new revocation row THIS instance committed, after the commit. Returns an unsubscribe function. */
  onRevocation(listener: (row: RevocationRow) => void): () => void;
  /** Called whenever the revocation log may have new rows, committed by any instance (read them: revocationsAfter). */
  onRevocationsChanged(listener: () => void): () => void;
  /** Called once the key ring has re-read the committed keys (another instance may have changed them). */
  onKeysRefreshed(listener: () => void): () => void;

  /** The hosted sign-in page's engine side: sign-in, browser sessions, authorization codes. */
  readonly frontChannel: FrontChannel;
  /** OpenID Connect RP-initiated logout (./end-session.ts): read an id_token_hint, end the browser session. */
  readonly endSession: EndSession;
  /** Every admin method of the shared contract. */
  readonly admin: AdminHandlers;
  /** Named admins' sign-in, console sessions and API keys, for the HTTP transport (./admin-access.ts). */
  readonly adminAccess: AdminAccess;
  /** Periodic upkeep: retire keys, purge expired revocations and token records. Idempotent. */
  maintain(options?: { everyMs?: number }): Promise<void>;
  close(): Promise<void>;
}
