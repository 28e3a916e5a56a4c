/**
 * How the blast radius names the sessions it lists. Revoking a key or one access token signs no device out:
 * the sessions stay open and only the tokens die, so a heading of "Devices (0)" (nobody signed out) read as
 * "nothing happens" while live tokens were about to be refused.
 */
import type { RevocationTarget } from '../../../shared/admin-api';
import type { BlastRadius } from '../../../shared/dto';

/** Targets that kill tokens without ending the sessions that carry them. */
const TOKENS_ONLY: ReadonlySet<RevocationTarget['kind']> = new Set(['key', 'access_token']);

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function devicesHeading(radius: BlastRadius, kind: RevocationTarget['kind'] | undefined): string {
  const sessions = radius.sessions.length;
  if (kind !== undefined && TOKENS_ONLY.has(kind)) {
    if (sessions > 0) return `Sessions whose access tokens die (${sessions}; they stay signed in)`;
    return radius.liveAccessTokens > 0
      ? `Devices signed out: none — ${plural(radius.liveAccessTokens, 'live access token')} stop working; the sessions carrying them stay signed in`
      : 'Devices signed out: none — no live access token carries this';
  }
  if (kind === 'refresh_version') {
    return sessions > 0 ? `Sessions that can no longer refresh (${sessions})` : 'Sessions that can no longer refresh: none';
  }
  return sessions > 0 || radius.devices.length > 0 ? `Devices signed out (${Math.max(sessions, radius.devices.length)})` : 'Devices signed out: none';
}
