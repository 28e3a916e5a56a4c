/**
 * Public, unauthenticated documents: the metadata and the RFC 7517 key set. One metadata document is served
 * both as OpenID Connect Discovery 1.0 (`/.well-known/openid-configuration`) and as RFC 8414
 * (`/.well-known/oauth-authorization-server`), so an OAuth client and an OpenID Connect one learn the same
 * facts. It adds three Token Warden fields: `revocation_feed_endpoint` and `revocation_feed_ack_endpoint`,
 * which the resource-server kit discovers instead of hard-coding paths, and `revocation_feed_version`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FEED_FORMAT_VERSION } from '@token-warden/verifier';
import type { ServiceContext } from './context';
import { allowAnyOrigin } from './cors';
import { oauthEndpoint } from './oauth-endpoint';
import { sendJson } from './respond';

export const PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  openidConfiguration: '/.well-known/openid-configuration',
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  userinfo: '/oauth/userinfo',
  endSession: '/oauth/logout',
  revoke: '/oauth/revoke',
  introspect: '/oauth/introspect',
  jwks: '/oauth/jwks',
  feed: '/events',
  feedAck: '/events/ack',
} as const;

/** The algorithms a client may register for its ID tokens; RS256 first, the one OIDC Core §15.1 requires. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256', 'EdDSA'] as const;
const CLIENT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'];

/** The metadata for `issuer` (the base URL, no trailing slash): RFC 8414 and OpenID Connect Discovery §3. */
export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    authorization_endpoint: issuer + PATHS.authorize,
    token_endpoint: issuer + PATHS.token,
    userinfo_endpoint: issuer + PATHS.userinfo,
    end_session_endpoint: issuer + PATHS.endSession,
    revocation_endpoint: issuer + PATHS.revoke,
    introspection_endpoint: issuer + PATHS.introspect,
    jwks_uri: issuer + PATHS.jwks,
    // The code flow only (RFC 9700 §2.1.2: no implicit grant), its response in the query (RFC 6749 §4.1.2).
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'password'],
    // PKCE is required of every client, and only S256 is accepted (RFC 9700 §2.1.1).
    code_challenge_methods_supported: ['S256'],
    // Scopes with a meaning here; any other scope of RFC 6749 §3.3 syntax is granted as asked and left to
    // resource servers to interpret. A refresh token is issued with or without offline_access.
    scopes_supported: ['openid', 'profile', 'offline_access'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'at_hash', 'amr', 'preferred_username'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    // Defaults that would promise what is not implemented, stated (OIDC Discovery §3: request_uri defaults to true).
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    // RFC 9207: the authorization response names its issuer, against mix-up attacks.
    authorization_response_iss_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
    revocation_feed_endpoint: issuer + PATHS.feed,
    revocation_feed_ack_endpoint: issuer + PATHS.feedAck,
    // The feed format this service writes, MAJOR.MINOR: a reader refuses a major it does not know.
    revocation_feed_version: FEED_FORMAT_VERSION,
  };
}

export function metadataEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'GET metadata', (_req: IncomingMessage, res: ServerResponse) => {
    allowAnyOrigin(res);
    sendJson(res, 200, authorizationServerMetadata(ctx.engine.issuer), { 'Cache-Control': 'max-age=300' });
  });
}

export function jwksEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'GET /oauth/jwks', (_req: IncomingMessage, res: ServerResponse) => {
    allowAnyOrigin(res);
    // Short cache: a rotated-in key must reach verifiers quickly (they also refetch on an unknown kid).
    sendJson(res, 200, ctx.engine.jwks(), { 'Cache-Control': 'max-age=60' });
  });
}
