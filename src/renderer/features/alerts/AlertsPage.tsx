import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Link from '@mui/material/Link';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import { useState } from 'react';
import type { ReuseAlert } from '../../../shared/audit';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LinkedId } from '../../components/LinkedId';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { RoleButton } from '../../components/RoleButton';
import { formatAbsolute } from '../../lib/time';
import { href, navigate, useRoute } from '../../lib/router';
import { AcknowledgeDialog } from './AcknowledgeDialog';

type Status = 'open' | 'acknowledged' | 'all';
const STATUSES: Status[] = ['open', 'acknowledged', 'all'];
const LIMIT = 100;

const describe = (type: string) => (type === 'authorization_code.reused' ? 'Authorization code used twice' : 'Refresh token used twice');

function AlertRow({ alert, onAcknowledge }: { alert: ReuseAlert; onAcknowledge: (alert: ReuseAlert) => void }) {
  const { entry, acknowledgement } = alert;
  return (
    <TableRow data-testid={`alert-row-${entry.seq}`} data-status={acknowledgement ? 'acknowledged' : 'open'}>
      <TableCell>
        <time dateTime={new Date(entry.at).toISOString()}>{formatAbsolute(entry.at)}</time>
      </TableCell>
      <TableCell>{describe(entry.type)}</TableCell>
      <TableCell>{entry.userId ? <LinkedId value={entry.userId} href={href.user(entry.userId)} label="user id" wrap /> : '—'}</TableCell>
      <TableCell>{entry.sessionId ? <LinkedId value={entry.sessionId} href={href.session(entry.sessionId)} label="session id" wrap testId={`alert-session-${entry.seq}`} /> : '—'}</TableCell>
      <TableCell>
        <Link href={href.audit({ seq: String(entry.seq) })} data-testid={`alert-audit-${entry.seq}`}>
          Entry #{entry.seq}
        </Link>
      </TableCell>
      <TableCell data-testid={`alert-status-${entry.seq}`}>
        {acknowledgement ? (
          <Stack spacing={0.25}>
            <span>
              Acknowledged by <strong>{acknowledgement.by}</strong>, <time dateTime={new Date(acknowledgement.at).toISOString()}>{formatAbsolute(acknowledgement.at)}</time>
            </span>
            <span>“{acknowledgement.note}”</span>
          </Stack>
        ) : (
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
            <Chip label="open" color="warning" size="small" />
            <RoleButton method="acknowledgeReuseAlert" size="small" variant="outlined" onClick={() => onAcknowledge(alert)} data-testid={`alert-ack-${entry.seq}`}>
              Acknowledge…
            </RoleButton>
          </Stack>
        )}
      </TableCell>
    </TableRow>
  );
}

/**
 * Reuse alerts as a worklist: every refresh token or authorization code presented twice (the engine revoked the
 * session at once). Open ones wait for an operator to look, say what they found, and acknowledge.
 */
export function AlertsPage() {
  const route = useRoute();
  const requested = route.query.get('status') as Status | null;
  const status: Status = requested && STATUSES.includes(requested) ? requested : 'open';
  const [acknowledging, setAcknowledging] = useState<ReuseAlert | null>(null);
  const alerts = useAdminQuery('listReuseAlerts', { status: status === 'all' ? undefined : status, limit: LIMIT }, {
    refreshOn: (event) => event.type === 'refresh_token.reused' || event.type === 'authorization_code.reused' || event.type === 'reuse_alert.acknowledged',
    keepPrevious: true,
  });
  const items = alerts.data?.items ?? [];
  return (
    <>
      <PageHeader title="Reuse alerts" subtitle={alerts.data ? `${alerts.data.open.toLocaleString()} open` : 'A stolen token presented twice revokes its session; each case waits here for a look.'} />
      <ToggleButtonGroup exclusive size="small" value={status} onChange={(_event, next: Status | null) => next && navigate(`${href.alerts()}?status=${next}`)} aria-label="Which alerts" sx={{ mb: 2 }}>
        {STATUSES.map((s) => (
          <ToggleButton key={s} value={s} data-testid={`alerts-status-${s}`}>
            {s}
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      <ErrorAlert error={alerts.error} title="Could not load the alerts" />
      {alerts.loading && !alerts.data && <Loading />}
      {alerts.data && items.length === 0 && (
        <EmptyState title={status === 'open' ? 'No open reuse alert' : 'No alert here'} hint="A refresh token or authorization code presented a second time shows up here." testId="alerts-empty" />
      )}
      {items.length > 0 && (
        <TableContainer component={Paper} variant="outlined" data-testid="alerts-table">
          <Table size="small" aria-label="Reuse alerts">
            <TableHead>
              <TableRow>
                <TableCell>When</TableCell>
                <TableCell>What</TableCell>
                <TableCell>User</TableCell>
                <TableCell>Session</TableCell>
                <TableCell>Audit</TableCell>
                <TableCell>Status</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {items.map((alert) => (
                <AlertRow key={alert.entry.seq} alert={alert} onAcknowledge={setAcknowledging} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {alerts.data?.nextBeforeSeq !== null && alerts.data?.nextBeforeSeq !== undefined && (
        <Button sx={{ mt: 1 }} href={href.audit({ types: 'refresh_token.reused,authorization_code.reused' })}>
          Older alerts in the audit log
        </Button>
      )}
      <AcknowledgeDialog alert={acknowledging} onClose={() => setAcknowledging(null)} />
    </>
  );
}
