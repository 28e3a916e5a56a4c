/** Minting tokens: RFC 9068 access tokens and opaque refresh tokens (only their SHA-256 is stored). */
import type { AccessTokenRow, RefreshTokenRow, SessionRow, UserRow } from '../store/store';
import type { TokenSet } from './types';
import type { EngineContext, Tx } from './context';
import { randomSecret, sha256Hex, timeHex, timeOfHex, timeOrderedId } from './crypto';
import { signPending, type PendingJws } from './jwt';
import { accessTokenTtlOf, clientSessionLifetimes } from './client-state';

/** An access token recorded in the store, with its claims final; `jws` still needs its signature. */
export interface MintedAccessToken {
  jws: PendingJws;
  jti: string;
  /** seconds since the epoch */
  exp: number;
  kid: string;
}

/**
 * The iat of a new token. A force logout sets the user's not-before to one millisecond after it happened;
 * tokens issued before it have `iat * 1000 < notBefore`. A token minted later in the same second gets the
 * next whole second as iat, so it is never mistaken for an old one (JWT times have one-second resolution).
 */
export function issuedAtSeconds(now: number, notBefore: number | null): number {
  const current = Math.floor(now / 1000);
  return notBefore === null ? current : Math.max(current, Math.ceil(notBefore / 1000));
}

export async function mintAccessToken(ctx: EngineContext, tx: Tx, session: SessionRow, user: UserRow, scope: string): Promise<MintedAccessToken> {
  const { minted, row } = await prepareAccessToken(ctx, session, user, scope, tx.now);
  await ctx.store.insertAccessToken(row);
  tx.count('tokens_issued');
  return minted;
}

/**
 * An access token and the row that records it, not yet written: a rotation writes it with the compare-and-set
 * (store.rotateRefreshToken, one round trip on PostgreSQL). The caller records it and counts `tokens_issued`.
 */
export async function prepareAccessToken(ctx: EngineContext, session: SessionRow, user: UserRow, scope: string, now: number): Promise<{ minted: MintedAccessToken; row: AccessTokenRow }> {
  const iat = issuedAtSeconds(now, user.notBefore);
  const exp = iat + await accessTokenTtlOf(ctx, session.clientId);
  // Time-ordered: the jti index gets its inserts at one end (see timeOrderedId).
  const jti = timeOrderedId('at', now);
  const payload = {
    iss: ctx.issuer,
    sub: user.id,
    aud: ctx.settings.audience,
    exp,
    iat,
    jti,
    client_id: session.clientId,
    sid: session.id,
    // No scope granted, no claim (RFC 9068 §2.2.3: a scope claim lists the scopes granted); verifiers read it as ''.
    ...(scope ? { scope } : {}),
  };
  const { pending, kid } = ctx.keys.prepare({ typ: 'at+jwt' }, payload);
  const row = { jti, sessionId: session.id, userId: user.id, clientId: session.clientId, kid, issuedAt: iat * 1000, expiresAt: exp * 1000 };
  return { minted: { jws: pending, jti, exp, kid }, row };
}

/**
 * A refresh token is 12 hex digits of its creation time (ms), then 256 random bits (43 base64url characters).
 * Only a key derived from it is stored: the same 12 time digits, then the first 52 hex digits of the token's
 * SHA-256. A key that begins with its creation time makes the primary-key index grow at one end, where a
 * commit's new keys share a page; random keys each dirtied a page of their own (3.67 → 2.78 log frames per
 * refresh, 50 concurrent sessions). Tokens issued before (43 characters, no time) keep their full SHA-256.
 */
const REFRESH_TOKEN_PATTERN = /^(?:[0-9a-f]{12})?[A-Za-z0-9_-]{43}$/;

/** The store key of anything shaped like a refresh token; undefined otherwise (not ours, no lookup needed). */
export function refreshTokenKey(token: unknown): string | undefined {
  if (typeof token !== 'string' || !REFRESH_TOKEN_PATTERN.test(token)) return undefined;
  const digest = sha256Hex(token);
  return token.length === 43 ? digest : `${token.slice(0, 12)}${digest.slice(0, 52)}`;
}

/** A fresh refresh token made at `nowMs` and its key, before it is stored. */
export function newRefreshToken(nowMs: number): { token: string; hash: string } {
  const token = `${timeHex(nowMs)}${randomSecret()}`;
  return { token, hash: refreshTokenKey(token)! };
}

export async function mintRefreshToken(ctx: EngineContext, tx: Tx, session: SessionRow, refreshVersion: number, next = newRefreshToken(tx.now)): Promise<{ token: string; hash: string }> {
  await ctx.store.insertRefreshToken(refreshTokenRow(session, refreshVersion, next.hash, tx.now));
  return next;
}

/** The row of a new, unused refresh token of `session`. */
export function refreshTokenRow(session: SessionRow, refreshVersion: number, hash: string, now: number): RefreshTokenRow {
  return {
    hash,
    sessionId: session.id,
    userId: session.userId,
    clientId: session.clientId,
    refreshVersion,
    createdAt: now,
    usedAt: null,
    successorHash: null,
    revokedAt: null,
    usedIp: null,
    usedUserAgent: null,
  };
}

/**
 * A non-secret label for a refresh token in events and the console: the first 12 hex digits of its SHA-256,
 * wherever its key holds them. A key that starts with the row's own creation time is time-ordered (a random
 * SHA-256 prefix matches it with odds of 2^-48); `createdAt` is that row's (for a successor: when it was minted,
 * which is when its predecessor was used).
 */
export function refreshLabel(key: string, createdAt: number): string {
  return timeOfHex(key) === createdAt ? key.slice(12, 24) : key.slice(0, 12);
}

/** Lifetimes for a session kind, in ms; with a client id, that client's own lifetimes where it has them. */
export async function sessionLifetimes(ctx: EngineContext, rememberMe: boolean, clientId?: string): Promise<{ idleMs: number; absoluteMs: number }> {
  const s = ctx.settings;
  const install = rememberMe
    ? { idleMs: s.rememberMeIdleSeconds * 1000, absoluteMs: s.rememberMeAbsoluteSeconds * 1000 }
    : { idleMs: s.idleSeconds * 1000, absoluteMs: s.absoluteSeconds * 1000 };
  return clientId === undefined ? install : clientSessionLifetimes(ctx, clientId, install);
}

/** A token response whose access token is still to be signed (after the transaction commits). */
export type UnsignedTokenSet = Omit<TokenSet, 'accessToken'> & { accessJws: PendingJws };

/** What the token endpoint answers for a login or a refresh, once `signed`. */
export function tokenSet(access: MintedAccessToken, refreshToken: string, session: SessionRow, now: number): UnsignedTokenSet {
  return {
    accessJws: access.jws,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn: access.exp - Math.floor(now / 1000),
    scope: session.scope,
    sessionId: session.id,
    userId: session.userId,
    jti: access.jti,
    rememberMe: session.rememberMe,
  };
}

/** Completes a token set by signing its access token (once the transaction that issued it has committed). */
export function signed(unsigned: UnsignedTokenSet): TokenSet {
  const { accessJws, ...rest } = unsigned;
  return { accessToken: signPending(accessJws), ...rest };
}

export function describeAccess(access: MintedAccessToken): { jti: string; exp: number; kid: string } {
  return { jti: access.jti, exp: access.exp * 1000, kid: access.kid };
}
