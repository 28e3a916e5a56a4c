/**
 * One revocation row as a Security Event Token (RFC 8417) carrying an OpenID CAEP `session-revoked` event
 * with Token Warden's subject (the feed format: @token-warden/verifier's feed-format.ts). Each subscriber gets
 * its own `aud` (its client id), so a SET captured from one resource server's stream is not valid for another.
 */
import { CAEP_SESSION_REVOKED, FEED_KEY_RETIRING, KEY_RETIRING_EVENT, type FeedSetClaims, type FeedSubject, type KeyRetiringSetClaims } from '@token-warden/verifier';
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

function kidOf(set: string): string {
  const header = JSON.parse(Buffer.from(set.slice(0, set.indexOf('.')), 'base64url').toString('utf8')) as { kid?: unknown };
  return typeof header.kid === 'string' ? header.kid : '';
}

/**
 * Feed messages (a signed SET in its SSE frame) by (subscriber, feed id), so that every connection of one
 * client sends the same signature instead of making its own: a fleet of N API instances costs one signature
 * per event, not N, and no connection formats a message again. Revocation rows never change and their ids
 * are never reused (AUTOINCREMENT), so an entry stays right until its key stops verifying: the feed drops a
 * key's entries when the key is revoked or retired. Least recently used entries go first once `maxEntries`
 * is reached (the memory bound).
 */
export class SignedSetCache {
  private readonly entries = new Map<string, { message: string; kid: string }>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  has(clientId: string, id: number): boolean {
    return this.entries.has(`${id}:${clientId}`);
  }

  /** The SSE message for event `id` to `clientId`, if cached. */
  get(clientId: string, id: number): string | undefined {
    const key = `${id}:${clientId}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.message;
  }

  /** Caches the message for a freshly signed `set` and returns it. */
  put(clientId: string, id: number, set: string): string {
    const key = `${id}:${clientId}`;
    const message = feedMessage(id, set);
    this.entries.delete(key);
    this.entries.set(key, { message, kid: kidOf(set) });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return message;
  }

  /** Forgets every SET signed by `kid`. */
  dropKid(kid: string): void {
    for (const [key, entry] of this.entries) if (entry.kid === kid) this.entries.delete(key);
  }

  /** Forgets every SET whose key is not among `kids` (the keys that still verify). */
  keepOnly(kids: ReadonlySet<string>): void {
    for (const [key, entry] of this.entries) if (!kids.has(entry.kid)) this.entries.delete(key);
  }
}

/**
 * A rotation's retirement instant as a SET (feed format 1.1, docs/feed.md): the key `kid` stops verifying at
 * `retiresAt` (ms). The service refuses its tokens from that instant (engine verify), and the kit, told ahead,
 * refuses them from the same instant by its own clock instead of at its next JWKS fetch (up to a minute later).
 * `jti` names the announcement, not a feed id: it is sent on every (re)connect and on every key change,
 * idempotent by (kid, retires_at), and carries no SSE `id`, so it never moves a subscriber's Last-Event-ID.
 */
export function keyRetiringSetClaims(kid: string, retiresAt: number, issuer: string, audience: string, nowMs: number): KeyRetiringSetClaims {
  return {
    iss: issuer,
    aud: audience,
    iat: Math.floor(nowMs / 1000),
    jti: `${FEED_KEY_RETIRING}:${kid}:${retiresAt}`,
    events: { [KEY_RETIRING_EVENT]: { subject: { format: 'opaque', kind: 'key', id: kid }, retires_at: retiresAt } },
  };
}

/** The SSE message of one announcement: `event: key-retiring`, `data: <SET>`, and no `id`. */
export function keyRetiringMessage(set: string): string {
  return `event: ${FEED_KEY_RETIRING}\ndata: ${set}\n\n`;
}
