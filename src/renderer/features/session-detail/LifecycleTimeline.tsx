import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import type { AccessTokenRecord, TimelineEntry } from '../../../shared/dto';
import { CopyableId } from '../../components/CopyableId';
import { LinkedId } from '../../components/LinkedId';
import Link from '@mui/material/Link';
import { Mono } from '../../components/Mono';
import { StatusChip } from '../../components/StatusChip';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';
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

/** Audit entries have their sequence number; a rotation read back from the refresh chain has its token label. */
function entryKey(entry: TimelineEntry): string {
  return entry.seq !== null ? String(entry.seq) : `rotation-${describe(entry.data.from)}`;
}

interface Props {
  timeline: TimelineEntry[];
  accessTokens: AccessTokenRecord[];
}

/**
 * A session's life, oldest first: sign-in, each rotation, each access token minted (with a live countdown to
 * its expiry), reuse, and who revoked it and why. Rotations that were not audited come from the refresh chain.
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
        const key = entryKey(entry);
        return (
          <Box
            component="li"
            key={key}
            data-testid={`timeline-entry-${key}`}
            data-type={entry.type}
            data-audited={entry.seq !== null}
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
                <Typography variant="caption" sx={{ color: 'text.secondary' }}>
                  <RelativeTime at={entry.at} /> · by {entry.actor} ·{' '}
                  {entry.seq !== null ? (
                    <Link href={href.audit({ seq: String(entry.seq) })} data-testid={`timeline-audit-link-${entry.seq}`}>
                      audit #{entry.seq}
                    </Link>
                  ) : (
                    <span title="Routine refreshes join the audit chain only when the “Audit every routine refresh” setting is on.">refresh chain (not audited)</span>
                  )}
                </Typography>
              </Stack>
              {minted && (
                <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mt: 0.5 }} data-testid={`timeline-minted-${minted.jti}`}>
                  <Typography variant="body2">
                    Access token minted <CopyableId value={minted.jti} label="jti" wrap />
                    {minted.kid && (
                      <>
                        {' '}by key <LinkedId value={minted.kid} href={href.key(minted.kid)} label="key id" wrap />
                      </>
                    )}
                    {' '}— {record && record.status !== 'live' ? 'exp' : 'expires'}{' '}
                    <Countdown at={record?.expiresAt ?? minted.expiresAt} testId={`timeline-expiry-${minted.jti}`} />
                  </Typography>
                  {record && <StatusChip status={record.status} label={record.reason ? `${record.status}: ${record.reason}` : record.status} />}
                </Stack>
              )}
              {entry.reason && (
                <Typography variant="body2" data-testid={`timeline-reason-${key}`}>
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
