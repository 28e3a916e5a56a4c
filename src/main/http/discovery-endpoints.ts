/**
 * Public, unauthenticated documents: the RFC 8414 metadata and the RFC 7517 key set. The metadata adds two
 * Token Warden fields, `revocation_feed_endpoint` and `revocation_feed_ack_endpoint`, which the
 * resource-server kit discovers instead of hard-coding paths.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceContext } from './context';
import { oauthEndpoint } from './oauth-endpoint';
import { sendJson } from './respond';

export const PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  token: '/oauth/token',
  revoke: '/oauth/revoke',
  introspect: '/oauth/introspect',
  jwks: '/oauth/jwks',
  feed: '/events',
  feedAck: '/events/ack',
} as const;

/** The RFC 8414 document for `issuer` (the base URL, no trailing slash). */
export function authorizationServerMetadata(issuer: string) {
  return {
    issuer,
    token_endpoint: issuer + PATHS.token,
    revocation_endpoint: issuer + PATHS.revoke,
    introspection_endpoint: issuer + PATHS.introspect,
    jwks_uri: issuer + PATHS.jwks,
    grant_types_supported: ['password', 'refresh_token'],
    // No response_types_supported: every response type belongs to an authorization endpoint, and there is
    // none (RFC 7591 §2.1 pairs the password and refresh_token grants with no response type). RFC 8414 calls
    // the member REQUIRED; the OAuth WG's direction for servers without an authorization endpoint is to omit
    // it (OpenID4VCI #248), as an empty array is omitted. Authlib's validator refuses both; no value would be
    // honest until an authorization endpoint exists. Nor scopes_supported: any scope of RFC 6749 §3.3 syntax
    // is granted as asked and interpreted by resource servers, so there is no list to advertise.
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
    revocation_feed_endpoint: issuer + PATHS.feed,
    revocation_feed_ack_endpoint: issuer + PATHS.feedAck,
  };
}

export function metadataEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'GET metadata', (_req: IncomingMessage, res: ServerResponse) => {
    sendJson(res, 200, authorizationServerMetadata(ctx.engine.issuer), { 'Cache-Control': 'max-age=300' });
  });
}

export function jwksEndpoint(ctx: ServiceContext) {
  return oauthEndpoint(ctx, 'GET /oauth/jwks', (_req: IncomingMessage, res: ServerResponse) => {
    // Short cache: a rotated-in key must reach verifiers quickly (they also refetch on an unknown kid).
    sendJson(res, 200, ctx.engine.jwks(), { 'Cache-Control': 'max-age=60' });
  });
}
