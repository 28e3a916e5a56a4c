/**
 * What the inspector says about a verdict, in words that are true for the kind of token: a refresh token is
 * only ever presented to the token endpoint, never to a resource server, and a token can fail for more than
 * one reason at once (an expired token of a revoked key).
 */
import type { Inspection } from '../../../shared/dto';
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
  const expiredToo = inspection.reason !== 'expired' && inspection.expiresAt !== null && inspection.expiresAt <= now;
  return expiredToo ? `${why} It has also expired (${formatRelative(inspection.expiresAt!, now)}).` : why;
}
