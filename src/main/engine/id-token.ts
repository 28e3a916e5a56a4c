/**
 * OpenID Connect ID tokens (Core 1.0 §2, §3.1.3.6). Claims: iss, sub, aud (the client), exp, iat, auth_time
 * (when the user last typed their password on the hosted page), nonce (when the authorization request had
 * one), sid (the session id, the same `sid` access tokens and back-channel logout tokens carry), at_hash (the
 * access token it came with), amr ['pwd'], and preferred_username for the `profile` scope. Signed with the
 * client's `idTokenSignedResponseAlg`. An ID token is signed after the access token it is issued with, since
 * at_hash covers that token's compact form.
 */
import { createHash } from 'node:crypto';
import type { SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { UserRow } from '../store/store';
import type { EngineContext } from './context';
import type { TokenSet } from './types';

/** What an ID token states about a sign-in, fixed when the code is exchanged (and kept for refreshes). */
export interface IdTokenGrant {
  clientId: string;
  sessionId: string;
  /** ms */
  authTime: number;
  nonce: string | null;
  scope: string;
}

/** Whether a space-separated scope contains `name`. */
export function hasScope(scope: string, name: string): boolean {
  return scope.split(' ').includes(name);
}

/**
 * The hash of at_hash (Core §3.1.3.6): the one of the JWS alg — SHA-256 for RS256 and ES256, SHA-512 for
 * EdDSA with Ed25519 (as oidc-provider and oauth4webapi compute it) — and its left half, base64url.
 */
export function accessTokenHash(accessToken: string, alg: SigningAlg): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * Throws no_active_key unless an ID token of `alg` can be signed now. Checked before a code is consumed, so
 * that a missing key refuses the exchange instead of leaving a session nobody received.
 */
export function assertCanSign(ctx: EngineContext, alg: SigningAlg): void {
  if (!ctx.keys.canSign(alg)) throw new WardenError('no_active_key', `No active ${alg} signing key for ID tokens.`);
}

function sign(ctx: EngineContext, alg: SigningAlg, payload: Record<string, unknown>): string {
  // typ JWT, never at+jwt: an ID token is not an access token, and the engine's verifier refuses it as one.
  return ctx.keys.signWith(alg, { typ: 'JWT' }, payload).token;
}

/** The claims of an ID token issued at `nowMs` for `grant`, with `accessToken` beside it. */
export function idTokenClaims(ctx: EngineContext, grant: IdTokenGrant, user: UserRow, nowMs: number, accessToken: string, alg: SigningAlg, withNonce: boolean): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  return {
    iss: ctx.issuer,
    sub: user.id,
    aud: grant.clientId,
    exp: iat + ctx.settings.accessTokenTtlSeconds,
    iat,
    auth_time: Math.floor(grant.authTime / 1000),
    ...(withNonce && grant.nonce !== null ? { nonce: grant.nonce } : {}),
    sid: grant.sessionId,
    at_hash: accessTokenHash(accessToken, alg),
    amr: ['pwd'],
    ...(hasScope(grant.scope, 'profile') ? { preferred_username: user.username } : {}),
  };
}

/** Signs the ID token of a code exchange (with the nonce of its authorization request). */
export function issueIdToken(ctx: EngineContext, grant: IdTokenGrant, user: UserRow, accessToken: string, alg: SigningAlg): string {
  return sign(ctx, alg, idTokenClaims(ctx, grant, user, ctx.now(), accessToken, alg, true));
}

/**
 * OIDC Core §12.2: a refresh of an `openid` session returns a new ID token with the same iss, sub, aud, sid and
 * auth_time, and no nonce. Only sessions opened by an authorization code have one (their code's record holds
 * auth_time). Runs after the rotation committed: a failure here must not lose the rotated refresh token, so it
 * is reported and the response goes out without an ID token, which §12.2 allows.
 */
export async function withRefreshIdToken(ctx: EngineContext, tokens: TokenSet, onError: (error: unknown) => void): Promise<TokenSet> {
  if (!hasScope(tokens.scope, 'openid')) return tokens;
  try {
    const code = await ctx.store.authorizationCodes.getBySession(tokens.sessionId);
    const client = code && await ctx.store.getClient(code.clientId);
    const user = await ctx.store.getUser(tokens.userId);
    if (!code || !client || !user) return tokens;
    const grant: IdTokenGrant = { clientId: code.clientId, sessionId: tokens.sessionId, authTime: code.authTime, nonce: null, scope: tokens.scope };
    const alg = client.idTokenSignedResponseAlg;
    return { ...tokens, idToken: sign(ctx, alg, idTokenClaims(ctx, grant, user, ctx.now(), tokens.accessToken, alg, false)) };
  } catch (error) {
    onError(error);
    return tokens;
  }
}
