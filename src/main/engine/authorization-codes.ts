/**
 * The authorization code grant (RFC 6749 §4.1, RFC 7636, RFC 9700 §2.1.1). A code is 256 random bits, stored
 * only as its SHA-256, good for 60 seconds and once, and bound to the client, the exact redirect URI and the
 * PKCE S256 challenge of its authorization request. At the token endpoint the presenter must be that client,
 * repeat that redirect URI and show the verifier; any mismatch is `invalid_authorization_code` and changes
 * nothing (no row, no counter, no audit entry), so a code stolen by another client or mis-sent reveals and
 * spends nothing. A code that passes those checks but was already used means two parties hold it: the session
 * it opened is revoked (RFC 6749 §4.1.2) and the request refused.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { WardenError } from '../../shared/errors';
import type { AuthorizationCodeRow } from '../store/authorization-code-store';
import { isLive } from './browser-sessions';
import type { EngineContext, Tx } from './context';
import { ensureSigningAlg } from './key-startup';
import { randomSecret, sha256Hex } from './crypto';
import { assertCanSign, hasScope, issueIdToken } from './id-token';
import { signed, type UnsignedTokenSet } from './issue';
import { clientRefusal, usableClient } from './client-state';
import { checkScope, cleanDevice, enforceSessionLimit, openSession } from './login';
import { revokeSession } from './revoke';
import type { CodeExchangeRequest, DeviceInfo, TokenSet } from './types';

/** RFC 9700 §4.2.1 wants codes short-lived; 60 s is ample for a redirect and a back-channel request. */
export const CODE_TTL_MS = 60_000;
/**
 * How long the record of an unused code outlives it: a replay soon after expiry is still recognised as a code
 * of ours (refused, not unknown). A used code's record lives as long as the session it opened may refresh.
 */
const CODE_RECORD_MS = 3600_000;
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** base64url(SHA-256(verifier)) without padding: always 43 characters. */
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER_PATTERN = /^[A-Za-z0-9._~-]{43,128}$/;
const MAX_NONCE = 255;
const MAX_REDIRECT_URI = 2000;

/**
 * What an authorization request binds a code to: the row's own fields (redirect URI already matched exactly
 * against the client's; the PKCE S256 challenge; auth_time = when the user last typed their password).
 */
export type CodeRequest = Pick<AuthorizationCodeRow, 'clientId' | 'userId' | 'browserSessionId' | 'redirectUri' | 'codeChallenge' | 'scope' | 'authTime'> & {
  nonce: string | null | undefined;
};

const invalidCode = () => new WardenError('invalid_authorization_code', 'The authorization code is invalid.');

/**
 * Issues a code inside the caller's transaction (the authorization endpoint's). The request was validated by
 * the authorization endpoint; what is checked again here is what the code binds, so no caller can bind it
 * to a redirect URI the client did not register or to a challenge that is not S256-shaped.
 */
export async function issueAuthorizationCode(ctx: EngineContext, tx: Tx, request: CodeRequest): Promise<string> {
  const client = usableClient(await ctx.store.getClient(request.clientId));
  if (!client.grantTypes.includes('authorization_code')) throw new WardenError('unauthorized_client', 'This client may not use the authorization code grant.');
  if (!client.redirectUris.includes(request.redirectUri) || request.redirectUri.length > MAX_REDIRECT_URI) throw new WardenError('invalid_input', 'The redirect URI is not registered for this client.');
  if (!CHALLENGE_PATTERN.test(request.codeChallenge)) throw new WardenError('invalid_input', 'The code challenge must be an S256 challenge (43 base64url characters).');
  const nonce = request.nonce ?? null;
  if (nonce !== null && (typeof nonce !== 'string' || nonce.length > MAX_NONCE)) throw new WardenError('invalid_input', `The nonce must be a string of at most ${MAX_NONCE} characters.`);
  const code = randomSecret();
  const expiresAt = tx.now + CODE_TTL_MS;
  await ctx.store.authorizationCodes.insert({
    codeHash: sha256Hex(code),
    clientId: client.clientId,
    userId: request.userId,
    browserSessionId: request.browserSessionId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    scope: checkScope(request.scope),
    nonce,
    authTime: request.authTime,
    createdAt: tx.now,
    expiresAt,
    usedAt: null,
    sessionId: null,
    keptUntil: expiresAt + CODE_RECORD_MS,
  });
  return code;
}

/** RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge, compared in constant time. */
export function verifierMatches(verifier: unknown, challenge: string): boolean {
  if (typeof verifier !== 'string' || !VERIFIER_PATTERN.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier, 'ascii').digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

type Outcome = { tokens: UnsignedTokenSet; row: AuthorizationCodeRow } | { failed: WardenError };

/** The code grant: checks, then one transaction that opens the session and spends the code; signed after it commits. */
export async function exchangeAuthorizationCode(ctx: EngineContext, request: CodeExchangeRequest): Promise<TokenSet> {
  const client = usableClient(await ctx.store.getClient(request.clientId));
  if (!client.grantTypes.includes('authorization_code')) throw new WardenError('unauthorized_client', 'This client may not use the authorization code grant.');
  // A client registered a moment ago with a new ID-token alg may still be waiting for its key pair: at once otherwise.
  await ensureSigningAlg(ctx, client.idTokenSignedResponseAlg);
  const outcome = await ctx.run((tx) => exchangeUnit(ctx, tx, request));
  if ('failed' in outcome) throw outcome.failed;
  const tokens = signed(outcome.tokens);
  if (!hasScope(outcome.row.scope, 'openid')) return tokens;
  const user = (await ctx.store.getUser(outcome.row.userId))!;
  const grant = { clientId: client.clientId, sessionId: tokens.sessionId, authTime: outcome.row.authTime, nonce: outcome.row.nonce, scope: outcome.row.scope };
  return { ...tokens, idToken: issueIdToken(ctx, grant, user, tokens.accessToken, client.idTokenSignedResponseAlg) };
}

async function exchangeUnit(ctx: EngineContext, tx: Tx, request: CodeExchangeRequest): Promise<Outcome> {
  if (typeof request.code !== 'string' || !CODE_PATTERN.test(request.code)) return { failed: invalidCode() };
  const codeHash = sha256Hex(request.code);
  const row = await ctx.store.authorizationCodes.get(codeHash);
  // Every mismatch reads the same and changes nothing; only the code's own client, redirect URI and verifier get further.
  if (!row || row.clientId !== request.clientId || request.redirectUri !== row.redirectUri || !verifierMatches(request.codeVerifier, row.codeChallenge)) {
    return { failed: invalidCode() };
  }
  if (row.usedAt !== null) return onReuse(ctx, tx, row);
  if (tx.now >= row.expiresAt) return { failed: invalidCode() };
  const browserSession = await ctx.store.browserSessions.get(row.browserSessionId);
  const user = await ctx.store.getUser(row.userId);
  if (!user) return { failed: invalidCode() };
  if (user.status === 'blocked') return { failed: new WardenError('user_blocked', 'This user is blocked.') };
  // Signed out of the hosted page, or forced out, between the redirect and this request: no new session.
  if (!browserSession || !await isLive(ctx, browserSession, tx.now)) return { failed: invalidCode() };
  const client = (await ctx.store.getClient(row.clientId))!;
  // Disabled or deleted since the code was issued (or while the exchange waited for a key): no session.
  const refusal = clientRefusal(client);
  if (refusal) return { failed: refusal };
  // Checked before anything is written: a session whose ID token cannot be signed would reach nobody.
  if (hasScope(row.scope, 'openid')) assertCanSign(ctx, client.idTokenSignedResponseAlg);
  const limited = await enforceSessionLimit(ctx, tx, user, row.clientId);
  if (limited) return { failed: limited };
  const device: DeviceInfo = cleanDevice({
    name: request.deviceName ? request.deviceName(browserSession.userAgent) : request.device.name,
    userAgent: browserSession.userAgent,
    ip: browserSession.ip,
  });
  const tokens = await openSession(ctx, tx, user, row.clientId, device, browserSession.rememberMe, row.scope, browserSession.id);
  const session = (await ctx.store.getSession(tokens.sessionId))!;
  const keptUntil = Math.max(row.keptUntil, session.absoluteExpiresAt);
  // Cannot lose: this transaction read the row unused and holds the write lock. Throwing rolls everything back.
  if (!await ctx.store.authorizationCodes.markUsed(codeHash, tx.now, session.id, keptUntil)) throw new Error('authorization code consumed concurrently');
  return { tokens, row };
}

/** RFC 6749 §4.1.2: a code used twice is denied, and what it issued is revoked. */
async function onReuse(ctx: EngineContext, tx: Tx, row: AuthorizationCodeRow): Promise<Outcome> {
  const session = row.sessionId === null ? undefined : await ctx.store.getSession(row.sessionId);
  await tx.emit({
    type: 'authorization_code.reused',
    actor: `client:${row.clientId}`,
    userId: row.userId,
    sessionId: row.sessionId,
    reason: 'An authorization code was presented a second time: the session it opened is revoked.',
    data: { clientId: row.clientId, usedAt: row.usedAt, presentedAt: tx.now },
  });
  if (session) await revokeSession(ctx, tx, session, 'system', 'authorization code reuse', 'reuse', true);
  return { failed: new WardenError('authorization_code_reused', 'The authorization code was already used; the session it opened has been revoked.') };
}

/** Drops code records nobody can need any more (see CODE_RECORD_MS). */
export async function purgeAuthorizationCodes(ctx: EngineContext, now: number): Promise<number> {
  return ctx.store.authorizationCodes.purge(now);
}
