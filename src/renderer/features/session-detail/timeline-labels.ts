/** How each lifecycle event reads on a session's timeline. */
import type { DomainEventType } from '../../../shared/events';

export type Tone = 'neutral' | 'good' | 'info' | 'warning' | 'bad';

export const TIMELINE_LABELS: Partial<Record<DomainEventType, { label: string; tone: Tone }>> = {
  'user.login': { label: 'Signed in', tone: 'good' },
  'session.refreshed': { label: 'Refresh token rotated', tone: 'info' },
  'refresh_token.reused': { label: 'Refresh token reused — family revoked', tone: 'bad' },
  'refresh_token.grace_retry': { label: 'Refresh retried inside the grace window (a harmless race)', tone: 'warning' },
  'authorization_code.reused': { label: 'Authorization code presented again — session revoked', tone: 'bad' },
  'session.revoked': { label: 'Session revoked', tone: 'bad' },
  'user.forced_out': { label: 'User forced out', tone: 'bad' },
  'user.refresh_version_bumped': { label: 'Refresh version bumped', tone: 'warning' },
  'user.blocked': { label: 'User blocked', tone: 'bad' },
  'access_token.revoked': { label: 'Access token revoked', tone: 'bad' },
  'key.revoked': { label: 'Signing key revoked', tone: 'bad' },
};

export function labelOf(type: string): { label: string; tone: Tone } {
  return TIMELINE_LABELS[type as DomainEventType] ?? { label: type, tone: 'neutral' };
}

/** Data keys not worth repeating on the timeline (shown elsewhere on the entry). */
export const HIDDEN_DATA_KEYS = new Set(['userId', 'sessionId', 'username', 'accessToken', 'presented', 'successor', 'session']);

/** The access token an event minted (`user.login` and `session.refreshed` carry data.accessToken). */
export interface MintedToken {
  jti: string;
  /** ms since the epoch */
  expiresAt: number | null;
  kid: string | null;
}

export function mintedTokenOf(data: Record<string, unknown>): MintedToken | null {
  const value = data.accessToken;
  if (typeof value !== 'object' || value === null) return null;
  const { jti, exp, kid } = value as { jti?: unknown; exp?: unknown; kid?: unknown };
  if (typeof jti !== 'string') return null;
  // JWT exp is in seconds; accept milliseconds too in case the engine records them.
  const expiresAt = typeof exp === 'number' ? (exp < 1e12 ? exp * 1000 : exp) : null;
  return { jti, expiresAt, kid: typeof kid === 'string' ? kid : null };
}
