/**
 * One revocation row as a Security Event Token (RFC 8417) carrying an OpenID CAEP `session-revoked` event
 * with Token Warden's subject (src/shared/feed.ts). Each subscriber gets its own `aud` (its client id), so a
 * SET captured from one resource server's stream is not valid for another.
 */
import { CAEP_SESSION_REVOKED, type FeedSetClaims, type FeedSubject } from '../../shared/feed';
import type { RevocationRow } from '../store/store';

function subjectOf(row: RevocationRow): FeedSubject {
  switch (row.kind) {
    case 'session':
      return { format: 'opaque', kind: 'session', id: row.subject, user_id: row.userId ?? '' };
    case 'user':
      return { format: 'opaque', kind: 'user', id: row.subject, not_before: row.notBefore ?? row.createdAt };
    case 'jti':
      return { format: 'opaque', kind: 'jti', id: row.subject, exp: row.expiresAt ?? 0, user_id: row.userId };
    case 'key':
      return { format: 'opaque', kind: 'key', id: row.subject };
  }
}

/** `admin…` → admin, `user:<id>` or `client:<id>` (a client revoking its own token) → user, `system` → system. */
function initiatingEntity(actor: string): 'admin' | 'user' | 'policy' | 'system' {
  if (actor.startsWith('admin')) return 'admin';
  if (actor.startsWith('user:') || actor.startsWith('client:')) return 'user';
  if (actor === 'system') return 'system';
  return 'policy';
}

export function revocationSetClaims(row: RevocationRow, issuer: string, audience: string, nowMs: number): FeedSetClaims {
  const event: FeedSetClaims['events'][typeof CAEP_SESSION_REVOKED] = {
    subject: subjectOf(row),
    event_timestamp: Math.floor(row.createdAt / 1000),
    initiating_entity: initiatingEntity(row.actor),
  };
  if (row.reason) event.reason_admin = { en: row.reason };
  return {
    iss: issuer,
    aud: audience,
    iat: Math.floor(nowMs / 1000),
    jti: String(row.id),
    events: { [CAEP_SESSION_REVOKED]: event },
  };
}

/** The SSE message for one revocation: `id`, `event: revocation`, `data: <SET>`. */
export function feedMessage(id: number, set: string): string {
  return `id: ${id}\nevent: revocation\ndata: ${set}\n\n`;
}
