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
    // A key's sessions are listed in part (the first 50) and counted up to 1,000.
    const count = radius.sessionCountCapped ? `more than ${radius.sessionCount.toLocaleString('en-US')}` : String(Math.max(sessions, radius.sessionCount));
    if (sessions > 0) return `Sessions whose access tokens die (${count}; they stay signed in)`;
    return radius.liveAccessTokens > 0
      ? `Devices signed out: none — ${plural(radius.liveAccessTokens, 'live access token')} stop working; the sessions carrying them stay signed in`
      : 'Devices signed out: none — no live access token carries this';
  }
  if (kind === 'refresh_version') {
    return sessions > 0 ? `Sessions that can no longer refresh (${sessions})` : 'Sessions that can no longer refresh: none';
  }
  return sessions > 0 || radius.devices.length > 0 ? `Devices signed out (${Math.max(sessions, radius.devices.length)})` : 'Devices signed out: none';
}

/**
 * The sentence under the figures: what happens to the live access tokens counted. A refresh-version bump
 * revokes none (they live to exp), so the feed sentence would contradict its dialog.
 */
export function accessTokensNote(radius: BlastRadius): string | null {
  if (radius.liveAccessTokens === 0) return null;
  if (radius.accessTokensFate === 'live_to_exp') {
    return 'These access tokens are not revoked: they keep working until they expire, the last at the worst-case expiry. Force logout ends them at once.';
  }
  return 'Resource servers subscribed to the revocation feed drop these access tokens within milliseconds; any that verify tokens offline without the feed accept them until the worst-case expiry.';
}

/** The access-token figure's label: "live" alone read as "about to die" for a bump, which kills none. */
export function liveTokensLabel(radius: BlastRadius): string {
  return radius.accessTokensFate === 'live_to_exp' ? 'Live access tokens (not revoked)' : 'Live access tokens';
}
