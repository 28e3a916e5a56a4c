/**
 * The engine's own full check of an access token: signature, header, claims, then live revocation state
 * (blocked user, not-before, revoked session, revoked jti). Returns a stable reason instead of throwing.
 */
import { type AccessTokenClaims, type Verdict, type VerdictReason } from '../../shared/verdict';
import type { KeyRow } from '../store/store';
import type { EngineContext } from './context';
import { decodeJwtDetailed, verifyJwtSignature, type DecodedJwt } from './jwt';

export const ACCEPTED_TYP = new Set(['at+jwt', 'application/at+jwt']);

export interface DetailedVerdict {
  verdict: Verdict;
  decoded: DecodedJwt | undefined;
  /** null when the signature could not be checked (malformed, unknown kid, wrong alg). */
  signatureValid: boolean | null;
  /** For a parseable but refused token (`crit`, non-canonical encoding): what exactly is wrong, for the inspector. */
  problem?: string;
}

const no = (reason: VerdictReason, decoded?: DecodedJwt, signatureValid: boolean | null = null, claims?: AccessTokenClaims): DetailedVerdict => ({
  verdict: claims ? { active: false, reason, claims } : { active: false, reason },
  decoded,
  signatureValid,
});

/** Narrows an untrusted payload to our claim set; undefined if any claim has the wrong type. */
export function parseClaims(payload: Record<string, unknown>): AccessTokenClaims | undefined {
  const { iss, sub, aud, exp, iat, nbf, jti, client_id, sid, scope } = payload;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 1000;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const audOk = str(aud) || (Array.isArray(aud) && aud.length > 0 && aud.length <= 20 && aud.every(str));
  if (!str(iss) || !str(sub) || !audOk || !num(exp) || !num(iat) || !str(jti) || !str(client_id) || !str(sid)) return undefined;
  if (nbf !== undefined && !num(nbf)) return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  return { iss, sub, aud, exp, iat, nbf, jti, client_id, sid, scope: scope ?? '' } as AccessTokenClaims;
}

export async function verifyDetailed(ctx: EngineContext, token: unknown): Promise<DetailedVerdict> {
  const decoding = decodeJwtDetailed(token);
  if (!decoding) return no('malformed');
  // Shown by the inspector, never verified: its signature is not even checked.
  if (!decoding.ok) return { ...no('malformed', decoding.jwt), problem: decoding.problem };
  const decoded = decoding.jwt;
  const { header } = decoded;
  const alg = header.alg;
  if (alg !== 'EdDSA' && alg !== 'ES256' && alg !== 'RS256') return no('unsupported_alg', decoded);
  const kid = header.kid;
  let key = typeof kid === 'string' ? ctx.keys.get(kid) : undefined;
  if (!key && typeof kid === 'string') key = await caughtUp(ctx, kid);
  if (!key) return no('unknown_kid', decoded);
  if (key.row.alg !== alg) return no('unsupported_alg', decoded);
  if (!verifyJwtSignature(decoded, alg, key.publicKey)) return no('bad_signature', decoded, false);
  // Only for a valid signature: a key published ahead never makes a forged token cost a read.
  if (key.row.status === 'next') key = (await caughtUp(ctx, key.row.kid)) ?? key;
  const claims = parseClaims(decoded.payload);
  if (!claims) return no('malformed', decoded, true);
  const reason = await judge(ctx, header, claims, key.row);
  return reason ? no(reason, decoded, true, claims) : { verdict: { active: true, claims }, decoded, signatureValid: true };
}

/**
 * Several instances on one database: a key another instance has just created or promoted (a rotation) is
 * committed a moment before this instance's key ring hears of it. Unknown to the ring, or still `next` in it,
 * the committed row decides: when it says otherwise, the ring re-reads first (KeyRing.refresh). Returns the
 * ring's key as it is AFTER the row was read (the ring may have caught up on its own meanwhile: the caller's
 * key is then stale); undefined when the row is gone, or on SQLite (one process: the ring is never behind).
 */
async function caughtUp(ctx: EngineContext, kid: string): Promise<ReturnType<EngineContext['keys']['get']>> {
  if (!ctx.store.changes.shared) return undefined;
  const row = await ctx.store.getKey(kid);
  if (!row) return undefined;
  if (row.status !== ctx.keys.get(kid)?.row.status) await ctx.keys.refresh();
  return ctx.keys.get(kid);
}

async function judge(ctx: EngineContext, header: Record<string, unknown>, claims: AccessTokenClaims, key: Pick<KeyRow, 'status' | 'retiresAt'>): Promise<VerdictReason | undefined> {
  const keyStatus = key.status;
  if (keyStatus === 'revoked') return 'revoked_kid';
  if (keyStatus === 'retired') return 'retired_kid';
  // Retired from retiresAt on, not from the maintenance pass that records it (up to a minute later): the
  // kit refuses the key from that same instant, announced on the feed (docs/feed.md, key-retiring).
  if (keyStatus === 'retiring' && key.retiresAt !== null && key.retiresAt <= ctx.now()) return 'retired_kid';
  // The next key is published ahead but signs nothing until a rotation promotes it: a valid signature by it
  // means its private half leaked.
  if (keyStatus === 'next') return 'next_kid';
  if (typeof header.typ !== 'string' || !ACCEPTED_TYP.has(header.typ.toLowerCase())) return 'wrong_typ';
  if (claims.iss !== ctx.issuer) return 'wrong_issuer';
  const audience = ctx.settings.audience;
  if (Array.isArray(claims.aud) ? !claims.aud.includes(audience) : claims.aud !== audience) return 'wrong_audience';
  const now = ctx.now();
  const skewMs = ctx.settings.clockSkewSeconds * 1000;
  if (claims.exp * 1000 <= now - skewMs) return 'expired';
  if (claims.nbf !== undefined && claims.nbf * 1000 > now + skewMs) return 'not_yet_valid';
  // iat may run up to one second ahead (see issuedAtSeconds), so allow at least that much.
  if (claims.iat * 1000 > now + Math.max(skewMs, 1000)) return 'not_yet_valid';
  return judgeState(ctx, claims);
}

/** Revocation state only; shared with the console's token listings. */
export async function judgeState(ctx: EngineContext, claims: Pick<AccessTokenClaims, 'sub' | 'sid' | 'jti' | 'iat'>): Promise<VerdictReason | undefined> {
  const user = await ctx.store.getUser(claims.sub);
  if (!user) return 'unknown_user';
  if (user.status === 'blocked') return 'user_blocked';
  if (user.notBefore !== null && claims.iat * 1000 < user.notBefore) return 'issued_before_not_before';
  const session = await ctx.store.getSession(claims.sid);
  if (!session) return 'unknown_session';
  if (session.revokedAt !== null) return 'session_revoked';
  if (await ctx.store.isJtiRevoked(claims.jti)) return 'jti_revoked';
  return undefined;
}

