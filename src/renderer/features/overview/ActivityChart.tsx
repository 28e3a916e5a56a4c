import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import type { Stats } from '../../../shared/dto';

type Minute = Stats['perMinute'][number];
type Series = 'issued' | 'refreshed' | 'revoked';

const WIDTH = 720;
const HEIGHT = 180;
const PAD = { left: 36, right: 8, top: 10, bottom: 22 };

/** A round axis maximum: 1, 2, 5, 10, 20, 50 … */
function niceMax(value: number): number {
  if (value <= 1) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function clock(minute: number): string {
  return new Date(minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/**
 * Issuance, refresh and revocation per minute over the last hour, as grouped bars. Hand-drawn SVG: no chart
 * library is installed, and this is all the console needs. Hover a minute for its numbers.
 */
export function ActivityChart({ perMinute }: { perMinute: Minute[] }) {
  const theme = useTheme();
  const colors: Record<Series, string> = {
    issued: theme.palette.primary.main,
    refreshed: theme.palette.secondary.main,
    revoked: theme.palette.error.main,
  };
  const series: Series[] = ['issued', 'refreshed', 'revoked'];
  const max = niceMax(Math.max(0, ...perMinute.flatMap((m) => [m.issued, m.refreshed, m.revoked])));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slots = Math.max(perMinute.length, 1);
  const step = plotW / slots;
  // Three bars side by side per minute, with a small gap between minutes.
  const barGap = step * 0.12;
  const barWidth = (step - 2 * barGap) / 3;
  const y = (value: number) => PAD.top + plotH - (value / max) * plotH;
  const totals = Object.fromEntries(series.map((s) => [s, perMinute.reduce((sum, m) => sum + m[s], 0)])) as Record<Series, number>;
  const summary = `Last ${perMinute.length} minutes: ${totals.issued} access tokens issued, ${totals.refreshed} refreshes, ${totals.revoked} revocations.`;
  const first = perMinute[0];
  const last = perMinute[perMinute.length - 1];

  return (
    <Box data-testid="activity-chart">
      <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 1, flexWrap: 'wrap' }} aria-hidden="true">
        {series.map((s) => (
          <Stack key={s} direction="row" spacing={0.75} sx={{ alignItems: 'center' }}>
            <Box sx={{ width: 10, height: 10, bgcolor: colors[s], borderRadius: 0.5 }} />
            <Typography variant="caption">
              {s} ({totals[s]})
            </Typography>
          </Stack>
        ))}
      </Stack>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" role="img" aria-label={summary} style={{ display: 'block', maxHeight: 240 }}>
        <title>{summary}</title>
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * fraction)} y2={y(max * fraction)} stroke={theme.palette.divider} />
            <text x={PAD.left - 6} y={y(max * fraction) + 4} textAnchor="end" fontSize={11} fill={theme.palette.text.secondary}>
              {Number.isInteger(max * fraction) ? max * fraction : (max * fraction).toFixed(1)}
            </text>
          </g>
        ))}
        {first && (
          <text x={PAD.left} y={HEIGHT - 6} fontSize={11} fill={theme.palette.text.secondary}>
            {clock(first.minute)}
          </text>
        )}
        {last && (
          <text x={WIDTH - PAD.right} y={HEIGHT - 6} textAnchor="end" fontSize={11} fill={theme.palette.text.secondary}>
            {clock(last.minute)}
          </text>
        )}
        {perMinute.map((m, index) => (
          <g key={m.minute}>
            {series.map((s, k) =>
              m[s] > 0 ? (
                <rect
                  key={s}
                  x={PAD.left + step * index + barGap + k * barWidth}
                  y={y(m[s])}
                  width={Math.max(barWidth - 0.5, 0.5)}
                  height={PAD.top + plotH - y(m[s])}
                  fill={colors[s]}
                />
              ) : null,
            )}
            <rect x={PAD.left + step * index} y={PAD.top} width={step} height={plotH} fill="transparent">
              <title>{`${clock(m.minute)} — issued ${m.issued}, refreshed ${m.refreshed}, revoked ${m.revoked}`}</title>
            </rect>
          </g>
        ))}
      </svg>
    </Box>
  );
}
