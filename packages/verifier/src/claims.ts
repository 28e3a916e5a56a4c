/** Narrowing untrusted token payloads: access-token claims (RFC 9068) and feed SETs (feed-format.ts). */
import { CAEP_SESSION_REVOKED, KEY_RETIRING_EVENT } from './feed-format.js';
import type { AccessTokenClaims } from './verdict-reasons.js';
import type { KeyRetiring, RevokedSubject } from './types.js';

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1000;
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Our claim set with the right types, frozen (it is shared through the cache), or undefined. `known`: the issuer and
 * audience this kit expects; a claim equal to one of them holds that string instead of the payload's copy, so
 * the tokens in the cache share them (cached claims are most of what the garbage collector copies on a cold verify).
 */
export function parseAccessClaims(payload: Record<string, unknown>, known?: { issuer: string; audience: string }): AccessTokenClaims | undefined {
  const { iss, sub, aud, exp, iat, nbf, jti, client_id, sid, scope } = payload;
  const audOk = str(aud) || (Array.isArray(aud) && aud.length > 0 && aud.length <= 20 && aud.every(str));
  if (!str(iss) || !str(sub) || !audOk || !num(exp) || !num(iat) || !str(jti) || !str(client_id) || !str(sid)) return undefined;
  if (nbf !== undefined && !num(nbf)) return undefined;
  if (scope !== undefined && typeof scope !== 'string') return undefined;
  const issuer = known !== undefined && iss === known.issuer ? known.issuer : iss;
  const audience = Array.isArray(aud) ? (Object.freeze([...aud]) as string[]) : known !== undefined && aud === known.audience ? known.audience : (aud as string);
  const claims: AccessTokenClaims = { iss: issuer, sub, aud: audience, exp, iat, jti, client_id, sid, scope: scope ?? '' };
  if (nbf !== undefined) claims.nbf = nbf;
  return Object.freeze(claims);
}

export function audienceMatches(aud: string | string[], audience: string): boolean {
  return Array.isArray(aud) ? aud.includes(audience) : aud === audience;
}

/**
 * The revoked subject of a feed SET whose signature already held, after checking that it was issued by our
 * token service, for this client, under this feed id. Undefined when anything is off.
 */
export function parseFeedSet(payload: Record<string, unknown>, expected: { issuer: string; clientId: string; id: number }): RevokedSubject | undefined {
  if (payload.iss !== expected.issuer || payload.jti !== String(expected.id)) return undefined;
  const aud = payload.aud;
  if (!(aud === expected.clientId || (Array.isArray(aud) && aud.includes(expected.clientId)))) return undefined;
  const events = payload.events;
  if (!isRecord(events)) return undefined;
  const event = events[CAEP_SESSION_REVOKED];
  if (!isRecord(event) || !isRecord(event.subject)) return undefined;
  const s = event.subject;
  if (s.format !== 'opaque' || !str(s.id)) return undefined;
  switch (s.kind) {
    case 'session':
      return typeof s.user_id === 'string' ? { kind: 'session', id: s.id, userId: s.user_id } : undefined;
    case 'user':
      return num(s.not_before) ? { kind: 'user', id: s.id, notBefore: s.not_before } : undefined;
    case 'jti':
      return num(s.exp) && (s.user_id === null || typeof s.user_id === 'string') ? { kind: 'jti', id: s.id, exp: s.exp, userId: s.user_id } : undefined;
    case 'key':
      return { kind: 'key', id: s.id };
    default:
      return undefined;
  }
}

/**
 * The retiring key and instant of a key-retiring SET (feed format 1.1) whose signature already held, after
 * checking that it was issued by our token service for this client and names what it announces. Undefined when
 * anything is off.
 */
export function parseKeyRetiringSet(payload: Record<string, unknown>, expected: { issuer: string; clientId: string }): KeyRetiring | undefined {
  if (payload.iss !== expected.issuer) return undefined;
  const aud = payload.aud;
  if (!(aud === expected.clientId || (Array.isArray(aud) && aud.includes(expected.clientId)))) return undefined;
  const events = payload.events;
  if (!isRecord(events)) return undefined;
  const event = events[KEY_RETIRING_EVENT];
  if (!isRecord(event) || !isRecord(event.subject) || !num(event.retires_at)) return undefined;
  const s = event.subject;
  if (s.format !== 'opaque' || s.kind !== 'key' || !str(s.id)) return undefined;
  // Format 1.1 names the announcement by its kid and instant.
  if (payload.jti !== `key-retiring:${s.id}:${event.retires_at}`) return undefined;
  return { kid: s.id, retiresAt: event.retires_at };
}
