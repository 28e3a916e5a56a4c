import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Drawer from '@mui/material/Drawer';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import type { AuditEntry } from '../../../shared/dto';
import { useAdminQuery } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LinkedId } from '../../components/LinkedId';
import { Loading } from '../../components/Loading';
import { formatAbsolute } from '../../lib/time';
import { href } from '../../lib/router';
import { BackchannelDeliveries, FeedAcknowledgements } from '../actions/ReceiptDeliveries';

const REUSE_TYPES = new Set(['refresh_token.reused', 'authorization_code.reused']);

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <Typography component="dt" variant="body2" sx={{ color: 'text.secondary' }}>
        {label}
      </Typography>
      <Typography component="dd" variant="body2" sx={{ m: 0, minWidth: 0 }} data-testid={testId}>
        {children}
      </Typography>
    </>
  );
}

/** What the entry's data names that has a page of its own: a client, a signing key. */
function namedIn(data: Record<string, unknown>): { clientId?: string; kid?: string; feedEventId?: number } {
  const token = data.accessToken as { kid?: unknown } | undefined;
  const kid = typeof data.kid === 'string' ? data.kid : typeof token?.kid === 'string' ? token.kid : undefined;
  return {
    clientId: typeof data.clientId === 'string' ? data.clientId : undefined,
    kid,
    feedEventId: typeof data.feedEventId === 'number' ? data.feedEventId : undefined,
  };
}

function EntryFacts({ entry, acknowledgement }: { entry: AuditEntry; acknowledgement: { by: string; at: number; note: string } | null }) {
  const named = namedIn(entry.data);
  return (
    <Stack spacing={2}>
      <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content minmax(0, 1fr)', columnGap: 2, rowGap: 0.75, m: 0 }}>
        <Fact label="Entry">#{entry.seq}</Fact>
        <Fact label="When" testId="audit-detail-at">
          <time dateTime={new Date(entry.at).toISOString()}>{formatAbsolute(entry.at)}</time>
        </Fact>
        <Fact label="Event" testId="audit-detail-type">{entry.type}</Fact>
        <Fact label="Actor" testId="audit-detail-actor">{entry.actor}</Fact>
        <Fact label="User">{entry.userId ? <LinkedId value={entry.userId} href={href.user(entry.userId)} label="user id" wrap /> : '—'}</Fact>
        <Fact label="Session">{entry.sessionId ? <LinkedId value={entry.sessionId} href={href.session(entry.sessionId)} label="session id" wrap testId="audit-detail-session" /> : '—'}</Fact>
        {named.clientId && (
          <Fact label="Client">
            <LinkedId value={named.clientId} href={href.client(named.clientId)} label="client id" wrap />
          </Fact>
        )}
        {named.kid && (
          <Fact label="Signing key">
            <LinkedId value={named.kid} href={href.key(named.kid)} label="key id" wrap />
          </Fact>
        )}
        <Fact label="Reason">{entry.reason ?? '—'}</Fact>
        <Fact label="Hash">
          <CopyableId value={entry.hash} label="entry hash" wrap />
        </Fact>
        <Fact label="Previous hash">
          <CopyableId value={entry.prevHash} label="previous hash" wrap />
        </Fact>
      </Box>
      {REUSE_TYPES.has(entry.type) && (
        <Alert severity={acknowledgement ? 'success' : 'warning'} data-testid="audit-detail-alert" action={<Button href={href.alerts()}>Alerts</Button>}>
          {acknowledgement
            ? `Reuse alert acknowledged by ${acknowledgement.by} at ${formatAbsolute(acknowledgement.at)}: “${acknowledgement.note}”`
            : 'Reuse alert, not acknowledged yet.'}
        </Alert>
      )}
      {named.feedEventId !== undefined && (
        <Box data-testid="audit-detail-receipt">
          <Typography variant="subtitle2" component="h3" gutterBottom>
            Receipt: feed event #{named.feedEventId}
          </Typography>
          <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'max-content minmax(0, 1fr)', columnGap: 2, rowGap: 0.5, m: 0 }}>
            <Fact label="Acknowledged by" testId="receipt-acks">
              <FeedAcknowledgements feedEventId={named.feedEventId} since={entry.at} />
            </Fact>
            <Fact label="App sessions ended" testId="receipt-backchannel">
              <BackchannelDeliveries feedEventId={named.feedEventId} since={entry.at} />
            </Fact>
          </Box>
        </Box>
      )}
      <Box>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Data
        </Typography>
        <Box component="pre" data-testid="audit-detail-data" sx={{ m: 0, p: 1, bgcolor: 'action.hover', borderRadius: 1, overflowX: 'auto', fontSize: '0.8rem', whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} tabIndex={0} aria-label="Entry data (JSON)">
          {JSON.stringify(entry.data, null, 2)}
        </Box>
      </Box>
      {entry.sessionId && (
        <Link href={href.audit({ q: entry.sessionId })} variant="body2">
          Every entry that names this session
        </Link>
      )}
    </Stack>
  );
}

/** One audit entry, whole, in a side panel (`seq` in the URL opens it, so it can be linked). */
export function AuditDetail({ seq, onClose }: { seq: number | undefined; onClose: () => void }) {
  const open = seq !== undefined;
  const entry = useAdminQuery('getAuditEntry', { seq: seq ?? 1 }, { enabled: open, refreshOn: (event) => event.type === 'reuse_alert.acknowledged' });
  return (
    // Above the app bar (which sits over the navigation drawer), so the panel's own header is not covered.
    <Drawer anchor="right" open={open} onClose={onClose} sx={{ zIndex: (theme) => theme.zIndex.modal }} slotProps={{ paper: { sx: { width: { xs: '100%', sm: 520 }, p: 2 }, 'aria-labelledby': 'audit-detail-title' } as Record<string, unknown> }}>
      <Box data-testid="audit-detail" data-seq={seq ?? ''}>
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 2 }}>
          <Typography variant="h6" component="h2" id="audit-detail-title">
            Audit entry {seq !== undefined ? `#${seq}` : ''}
          </Typography>
          <Button onClick={onClose} data-testid="audit-detail-close">
            Close
          </Button>
        </Stack>
        <ErrorAlert error={entry.error} title="Could not load the entry" />
        {entry.loading && !entry.data && <Loading />}
        {entry.data && <EntryFacts entry={entry.data.entry} acknowledgement={entry.data.acknowledgement} />}
      </Box>
    </Drawer>
  );
}
