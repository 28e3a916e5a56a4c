import Alert from '@mui/material/Alert';
import type { TimelineEntry } from '../../../shared/dto';
import { formatDuration } from '../../lib/time';

interface Seen {
  ip?: unknown;
  userAgent?: unknown;
  deviceName?: unknown;
  usedAt?: unknown;
  presentedAt?: unknown;
}

function text(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : 'unknown';
}

function where(seen: Seen): string {
  return `${text(seen.deviceName)} at ${text(seen.ip)}`;
}

function asSeen(value: unknown): Seen | null {
  return typeof value === 'object' && value !== null ? (value as Seen) : null;
}

/**
 * Reuse triage for a `refresh_token.reused` or `refresh_token.grace_retry` entry: was this a harmless race
 * (a retry inside the grace window, from the same device) or two parties holding one session?
 */
export function ReuseTriage({ entry }: { entry: TimelineEntry }) {
  const presented = asSeen(entry.data.presented);
  const session = asSeen(entry.data.session);
  if (entry.type === 'refresh_token.grace_retry') {
    return (
      <Alert severity="info" data-testid={`reuse-triage-${entry.seq}`} data-verdict="race" sx={{ my: 0.5 }}>
        Harmless race: a client retried a refresh inside the grace window before using its new token (two tabs,
        or a lost response). The unused successor was rotated instead; nothing was revoked.
      </Alert>
    );
  }
  const usedAt = typeof presented?.usedAt === 'number' ? presented.usedAt : null;
  const presentedAt = typeof presented?.presentedAt === 'number' ? presented.presentedAt : null;
  const late = usedAt !== null && presentedAt !== null ? formatDuration(presentedAt - usedAt) : null;
  const sameDevice =
    presented && session && presented.ip === session.ip && presented.userAgent === session.userAgent;
  const inGrace = entry.data.withinGraceWindow === true;
  return (
    <Alert severity="error" data-testid={`reuse-triage-${entry.seq}`} data-verdict={inGrace ? 'race' : 'theft'} sx={{ my: 0.5 }}>
      {inGrace
        ? 'Inside the grace window, but the retry could not be honoured (its successor was already used): the session was revoked to be safe.'
        : `Treated as theft: a refresh token was presented again${late ? ` ${late} after it was rotated` : ''}, outside any grace window.`}{' '}
      {presented && session && (
        <>
          Presented by {where(presented)}; the session belongs to {where(session)}
          {sameDevice ? ' (same address and browser: possibly a buggy client retrying).' : ' (a different address or browser).'}
        </>
      )}
    </Alert>
  );
}
