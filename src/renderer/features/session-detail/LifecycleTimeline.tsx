import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import type { AccessTokenRecord, AuditEntry } from '../../../shared/dto';
import { Mono } from '../../components/Mono';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { formatAbsolute } from '../../lib/time';
import { ReuseTriage } from './ReuseTriage';
import { HIDDEN_DATA_KEYS, labelOf, mintedTokenOf, type Tone } from './timeline-labels';

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function Details({ data }: { data: Record<string, unknown> }) {
  const entries = Object.entries(data).filter(([key]) => !HIDDEN_DATA_KEYS.has(key));
  if (entries.length === 0) return null;
  return (
    <Typography variant="caption" component="div" sx={{ color: 'text.secondary', wordBreak: 'break-all' }}>
      {entries.map(([key, value]) => (
        <span key={key} style={{ marginRight: 12 }}>
          {key}=<Mono>{describe(value)}</Mono>
        </span>
      ))}
    </Typography>
  );
}

interface Props {
  timeline: AuditEntry[];
  accessTokens: AccessTokenRecord[];
}

/**
 * A session's life, oldest first: sign-in, each rotation, each access token minted (with a live countdown to
 * its expiry), reuse, and who revoked it and why.
 */
export function LifecycleTimeline({ timeline, accessTokens }: Props) {
  const theme = useTheme();
  const tones: Record<Tone, string> = {
    neutral: theme.palette.text.disabled,
    good: theme.palette.success.main,
    info: theme.palette.info.main,
    warning: theme.palette.warning.main,
    bad: theme.palette.error.main,
  };
  const tokensByJti = new Map(accessTokens.map((token) => [token.jti, token]));
  if (timeline.length === 0) {
    return (
      <Typography variant="body2" sx={{ color: 'text.secondary' }} data-testid="session-timeline">
        No lifecycle events recorded for this session.
      </Typography>
    );
  }
  return (
    <Box component="ol" data-testid="session-timeline" sx={{ listStyle: 'none', m: 0, p: 0 }}>
      {timeline.map((entry, index) => {
        const { label, tone } = labelOf(entry.type);
        const minted = mintedTokenOf(entry.data);
        const record = minted ? tokensByJti.get(minted.jti) : undefined;
        return (
          <Box
            component="li"
            key={entry.seq}
            data-testid={`timeline-entry-${entry.seq}`}
            data-type={entry.type}
            sx={{ display: 'grid', gridTemplateColumns: '20px 1fr', columnGap: 1.5 }}
          >
            <Box sx={{ display: 'flex', flexDirection: 'column', alignItems: 'center' }}>
              <Box sx={{ width: 12, height: 12, borderRadius: '50%', bgcolor: tones[tone], mt: 0.75 }} />
              {index < timeline.length - 1 && <Box sx={{ flex: 1, width: 2, bgcolor: 'divider', my: 0.5 }} />}
            </Box>
            <Box sx={{ pb: 2 }}>
              <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
                <Typography variant="body2" sx={{ fontWeight: 600 }}>
                  {label}
                </Typography>
                <Typography variant="caption" sx={{ color: 'text.secondary' }} title={formatAbsolute(entry.at)}>
                  <RelativeTime at={entry.at} /> · by {entry.actor} · #{entry.seq}
                </Typography>
              </Stack>
              {minted && (
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mt: 0.5 }} data-testid={`timeline-minted-${minted.jti}`}>
                  <Typography variant="body2">
                    Access token minted <Mono short>{minted.jti}</Mono>
                    {minted.kid && (
                      <>
                        {' '}by key <Mono short>{minted.kid}</Mono>
                      </>
                    )}
                    {' '}— {record && record.status !== 'live' ? 'exp' : 'expires'}{' '}
                    <Countdown at={record?.expiresAt ?? minted.expiresAt} testId={`timeline-expiry-${minted.jti}`} />
                  </Typography>
                  {record && <StatusChip status={record.status} label={record.reason ? `${record.status}: ${record.reason}` : record.status} />}
                </Stack>
              )}
              {entry.reason && (
                <Typography variant="body2" data-testid={`timeline-reason-${entry.seq}`}>
                  Reason: {entry.reason}
                </Typography>
              )}
              {(entry.type === 'refresh_token.reused' || entry.type === 'refresh_token.grace_retry') && <ReuseTriage entry={entry} />}
              <Details data={entry.data} />
            </Box>
          </Box>
        );
      })}
    </Box>
  );
}
