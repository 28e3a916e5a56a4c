/**
 * What the inspector says about a verdict, in words that are true for the kind of token: a refresh token is
 * only ever presented to the token endpoint, never to a resource server, and a token can fail for more than
 * one reason at once (an expired token of a revoked key).
 */
import type { Inspection } from '../../../shared/dto';
import { VERDICT_REASON_TEXT, type VerdictReason } from '../../../shared/verdict';
import { formatRelative } from '../../lib/time';

/** `Authorization: Bearer eyJ…` or `Bearer eyJ…` pasted whole: the token is what follows the scheme. */
export function stripBearer(text: string): { token: string; stripped: boolean } {
  const trimmed = text.trim();
  const match = /^(?:authorization:\s*)?bearer\s+(\S[\s\S]*)$/i.exec(trimmed);
  return match ? { token: match[1]!.trim(), stripped: true } : { token: trimmed, stripped: false };
}

/** The sentence under the verdict. */
export function verdictSentence(inspection: Inspection, now: number): string {
  if (inspection.active) {
    if (inspection.kind === 'refresh_token') {
      return 'The refresh token is active: the token endpoint would accept it for one refresh (it is never sent to resource servers).';
    }
    return 'The access token is active: a resource server would accept it.';
  }
  const why = inspection.reasonText ?? 'Not active.';
  // The engine lists every reason that holds, the decisive one first; each further one is said too.
  const more = inspection.reasons.filter((reason) => reason !== inspection.reason);
  const expiredToo = more.includes('expired') || (inspection.reason !== 'expired' && inspection.expiresAt !== null && inspection.expiresAt <= now);
  const others = more
    .filter((reason) => reason !== 'expired')
    .map((reason) => `Also: ${VERDICT_REASON_TEXT[reason as VerdictReason] ?? reason}`);
  const parts = [why, ...others];
  if (expiredToo && inspection.expiresAt !== null) parts.push(`It has also expired (${formatRelative(inspection.expiresAt, now)}).`);
  return parts.join(' ');
}
