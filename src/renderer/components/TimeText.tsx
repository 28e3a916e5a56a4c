import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import type { ReactNode } from 'react';
import { formatAbsolute, formatCountdown, formatLocal, formatRelative } from '../lib/time';
import { useNow } from '../lib/use-now';

interface TimeProps {
  /** ms since the epoch; null renders an em dash */
  at: number | null | undefined;
  testId?: string;
}

/**
 * A `<time>` whose absolute value (local, with the time zone, and in UTC) shows as a tooltip on hover and on
 * keyboard focus: a relative phrase alone ("3m ago") cannot be compared with another system's logs, and a
 * hover-only `title` is out of reach from the keyboard.
 */
function FocusableTime({ at, testId, children, expired }: { at: number; testId?: string; children: ReactNode; expired?: boolean }) {
  const absolute = formatAbsolute(at);
  return (
    <Tooltip title={absolute} describeChild>
      <Box
        component="time"
        dateTime={new Date(at).toISOString()}
        tabIndex={0}
        data-testid={testId}
        data-absolute={absolute}
        data-expired={expired === undefined ? undefined : expired ? 'true' : 'false'}
        sx={{
          color: expired ? 'text.secondary' : 'inherit',
          fontVariantNumeric: 'tabular-nums',
          textDecoration: 'underline dotted',
          textUnderlineOffset: '0.2em',
          borderRadius: 0.5,
          '&:focus-visible': { outline: 2, outlineColor: 'primary.main', outlineOffset: 1 },
        }}
      >
        {children}
      </Box>
    </Tooltip>
  );
}

/** "3m ago" / "in 2h 5m", live, with the absolute time on hover and focus. */
export function RelativeTime({ at, testId }: TimeProps) {
  const now = useNow(1_000);
  if (at === null || at === undefined) return <span data-testid={testId}>—</span>;
  return (
    <FocusableTime at={at} testId={testId}>
      {formatRelative(at, now)}
    </FocusableTime>
  );
}

interface CountdownProps extends TimeProps {
  /** Word used once the moment has passed ("expired 3m ago"). */
  pastWord?: string;
}

/** A live countdown to `at`, turning into "expired …" once it passes. */
export function Countdown({ at, testId, pastWord }: CountdownProps) {
  const now = useNow(1_000);
  if (at === null || at === undefined) return <span data-testid={testId}>—</span>;
  return (
    <FocusableTime at={at} testId={testId} expired={at <= now}>
      {formatCountdown(at, now, pastWord)}
    </FocusableTime>
  );
}

/** The absolute local time with its zone, written out ("12/1/2026, 11:27:27 AM UTC"), UTC ISO on focus. */
export function AbsoluteTime({ at, testId }: TimeProps) {
  if (at === null || at === undefined) return <span data-testid={testId}>—</span>;
  return (
    <Tooltip title={new Date(at).toISOString()} describeChild>
      <Box component="time" dateTime={new Date(at).toISOString()} tabIndex={0} data-testid={testId} data-absolute={formatAbsolute(at)} sx={{ fontVariantNumeric: 'tabular-nums' }}>
        {formatLocal(at)}
      </Box>
    </Tooltip>
  );
}
