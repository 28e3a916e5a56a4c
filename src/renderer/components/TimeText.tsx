import Box from '@mui/material/Box';
import { formatAbsolute, formatCountdown, formatRelative } from '../lib/time';
import { useNow } from '../lib/use-now';

interface TimeProps {
  /** ms since the epoch; null renders an em dash */
  at: number | null | undefined;
  testId?: string;
}

/** "3m ago" / "in 2h 5m", live, with the absolute time on hover. */
export function RelativeTime({ at, testId }: TimeProps) {
  const now = useNow(1_000);
  if (at === null || at === undefined) return <span data-testid={testId}>—</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatAbsolute(at)} data-testid={testId}>
      {formatRelative(at, now)}
    </time>
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
  const past = at <= now;
  return (
    <Box
      component="time"
      dateTime={new Date(at).toISOString()}
      title={formatAbsolute(at)}
      data-testid={testId}
      data-expired={past ? 'true' : 'false'}
      sx={{ color: past ? 'text.secondary' : 'inherit', fontVariantNumeric: 'tabular-nums' }}
    >
      {formatCountdown(at, now, pastWord)}
    </Box>
  );
}
