/**
 * Token inspection (console) and RFC 7662 introspection. Inspection decodes anything without trusting it
 * and explains the verdict; introspection answers `{active:false}` for anything not active, as the RFC asks.
 */
import type { Inspection } from '../../shared/dto';
import { VERDICT_REASON_TEXT, type VerdictReason } from '../../shared/verdict';
import type { EngineContext } from './context';
import { refreshTokenKey } from './issue';
import { decodeJwtDetailed } from './jwt';
import { sessionStatus } from './queries';
import { judgeState, parseClaims, verifyDetailed, type DetailedVerdict } from './verify';
import type { IntrospectionResponse } from './types';

const REFRESH_REASON_TEXT: Record<string, string> = {
  rotated: 'Already used: it was rotated into a successor. Presenting it again counts as reuse.',
  revoked: 'Revoked (its session was revoked, or its user was logged out or bumped).',
  session_revoked: 'Its session was revoked.',
  session_expired: 'Its session has expired.',
  refresh_version_mismatch: "Its refresh version is older than the user's current one.",
  user_blocked: 'The user is blocked.',
};

interface RefreshJudgement {
  active: boolean;
  reason: string | null;
}

async function judgeRefresh(ctx: EngineContext, token: string) {
  const key = refreshTokenKey(token);
  const row = key === undefined ? undefined : await ctx.store.getRefreshToken(key);
  if (!row) return undefined;
  const session = await ctx.store.getSession(row.sessionId);
  const user = await ctx.store.getUser(row.userId);
  if (!session || !user) return undefined;
  const now = ctx.now();
  const judged = (reason: string | null): RefreshJudgement => ({ active: reason === null, reason });
  let verdict: RefreshJudgement;
  if (session.revokedAt !== null) verdict = judged('session_revoked');
  else if (user.status === 'blocked') verdict = judged('user_blocked');
  else if (row.refreshVersion !== user.refreshVersion) verdict = judged('refresh_version_mismatch');
  else if (row.usedAt !== null) verdict = judged('rotated');
  else if (row.revokedAt !== null) verdict = judged('revoked');
  else if (sessionStatus(session, now) === 'expired') verdict = judged('session_expired');
  else verdict = judged(null);
  // Every reason that holds, the decisive one first: a rotated token of a session that has since expired is both.
  const all: [boolean, string][] = [
    [session.revokedAt !== null, 'session_revoked'],
    [user.status === 'blocked', 'user_blocked'],
    [row.refreshVersion !== user.refreshVersion, 'refresh_version_mismatch'],
    [row.usedAt !== null, 'rotated'],
    [row.revokedAt !== null && row.usedAt === null && session.revokedAt === null, 'revoked'],
    [session.revokedAt === null && sessionStatus(session, now) === 'expired', 'session_expired'],
  ];
  const reasons = all.filter(([holds]) => holds).map(([, reason]) => reason);
  return { row, session, user, now, verdict, reasons, expiresAt: Math.min(session.idleExpiresAt, session.absoluteExpiresAt) };
}

/**
 * `Authorization: Bearer eyJ…` or `Bearer eyJ…` pasted whole (RFC 6750 §2.1: the scheme is case-insensitive):
 * the token is what follows the scheme.
 */
export function stripBearer(text: string): string {
  const match = /^(?:authorization:[ \t]*)?bearer[ \t]+(\S+)$/i.exec(text.trim());
  return match ? match[1]! : text.trim();
}

/**
 * Every reason an access token fails, the decisive one (the verdict's) first. The verdict stops at the first
 * failed check; the console explains the others too: an expired token of a revoked key is both, and a
 * revoked key's token whose session was revoked as well is both.
 */
async function accessReasons(ctx: EngineContext, detailed: DetailedVerdict): Promise<VerdictReason[]> {
  const { verdict, decoded } = detailed;
  if (verdict.active) return [];
  const reasons: VerdictReason[] = [verdict.reason];
  // Only a token whose signature is ours says anything true about expiry or revocation state.
  const claims = detailed.signatureValid && decoded ? parseClaims(decoded.payload) : undefined;
  if (!claims) return reasons;
  const skewMs = ctx.settings.clockSkewSeconds * 1000;
  if (claims.exp * 1000 <= ctx.now() - skewMs && !reasons.includes('expired')) reasons.push('expired');
  const state = await judgeState(ctx, claims);
  if (state && !reasons.includes(state)) reasons.push(state);
  return reasons;
}

export async function inspectToken(ctx: EngineContext, input: { token: string }): Promise<Inspection> {
  const text = stripBearer(input.token);
  const now = ctx.now();
  const base: Inspection = {
    kind: 'unknown',
    header: null,
    claims: null,
    signatureValid: null,
    active: false,
    reason: 'malformed',
    reasonText: 'Neither a JWT nor a refresh token issued here.',
    reasons: ['malformed'],
    expiresAt: null,
    secondsToExpiry: null,
    sessionId: null,
    sessionStatus: null,
    userId: null,
    username: null,
  };
  // Anything that parses as a JWS is explained as an access token, even one refused for its form (crit, non-canonical).
  if (decodeJwtDetailed(text)) {
    const detailed = await verifyDetailed(ctx, text);
    const { verdict, decoded, signatureValid, problem } = detailed;
    const payload = decoded?.payload ?? {};
    const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : null;
    const sid = typeof payload.sid === 'string' ? payload.sid : null;
    const sub = typeof payload.sub === 'string' ? payload.sub : null;
    const user = sub ? await ctx.store.getUser(sub) : undefined;
    const session = sid ? await ctx.store.getSession(sid) : undefined;
    return {
      ...base,
      kind: 'access_token',
      header: decoded?.header ?? null,
      claims: payload,
      signatureValid,
      active: verdict.active,
      reason: verdict.active ? null : verdict.reason,
      reasonText: verdict.active ? 'Active: signature, claims and revocation state all check out.' : (problem ?? VERDICT_REASON_TEXT[verdict.reason]),
      reasons: await accessReasons(ctx, detailed),
      expiresAt: exp,
      secondsToExpiry: exp === null ? null : Math.round((exp - now) / 1000),
      sessionId: session ? session.id : null,
      sessionStatus: session ? sessionStatus(session, now) : null,
      userId: user ? user.id : null,
      username: user ? user.username : null,
    };
  }
  if (refreshTokenKey(text) !== undefined) {
    const found = await judgeRefresh(ctx, text);
    if (!found) return { ...base, reason: 'unknown', reasons: ['unknown'], reasonText: 'Shaped like a refresh token, but not one issued here.' };
    const { verdict, session, user, expiresAt, reasons } = found;
    return {
      ...base,
      kind: 'refresh_token',
      active: verdict.active,
      reason: verdict.reason,
      reasonText: verdict.reason
        ? (REFRESH_REASON_TEXT[verdict.reason] ?? verdict.reason)
        : 'Active: the current refresh token of a live session. Only the token endpoint takes it (for one refresh); resource servers never see it.',
      reasons,
      expiresAt,
      secondsToExpiry: Math.round((expiresAt - now) / 1000),
      sessionId: session.id,
      sessionStatus: sessionStatus(session, now),
      userId: user.id,
      username: user.username,
    };
  }
  return base;
}

/**
 * RFC 7662 §2.2. `token_type` is the token's type as RFC 6749 §7.1 defines it: `Bearer` for an access token.
 * A refresh token has no such type (it is never presented to a resource server), so its answer carries
 * none, as oidc-provider's does. `scope` is left out when none was granted.
 */
export async function introspect(ctx: EngineContext, token: string): Promise<IntrospectionResponse> {
  if (typeof token !== 'string' || token.length > 16_384) return { active: false };
  const scoped = (scope: string | undefined) => (scope ? { scope } : {});
  if (refreshTokenKey(token) !== undefined) {
    const found = await judgeRefresh(ctx, token);
    if (!found || !found.verdict.active) return { active: false };
    return {
      active: true,
      client_id: found.session.clientId,
      username: found.user.username,
      sub: found.user.id,
      iss: ctx.issuer,
      exp: Math.floor(found.expiresAt / 1000),
      iat: Math.floor(found.row.createdAt / 1000),
      sid: found.session.id,
      ...scoped(found.session.scope),
    };
  }
  const { verdict } = await verifyDetailed(ctx, token);
  if (!verdict.active) return { active: false };
  const c = verdict.claims;
  const username = (await ctx.store.getUser(c.sub))?.username ?? '';
  return { active: true, token_type: 'Bearer', ...scoped(c.scope), client_id: c.client_id, username, sub: c.sub, aud: c.aud, iss: c.iss, exp: c.exp, iat: c.iat, jti: c.jti, sid: c.sid };
}
