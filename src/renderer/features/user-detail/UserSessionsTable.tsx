import Button from '@mui/material/Button';
import { ServerPagedGrid } from '../../components/ServerPagedGrid';
import { UserAgent } from '../../components/UserAgent';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import { type GridColDef, type GridPaginationModel } from '@mui/x-data-grid';
import { sessionIsOpen, type SessionInfo } from '../../../shared/dto';
import { StatusChip } from '../../components/StatusChip';
import { testIdRow } from '../../components/TestIdRow';
import { Countdown, RelativeTime } from '../../components/TimeText';
import { href } from '../../lib/router';
import { browserSessionLabel } from './browser-session-groups';

/** When an active session ends unless refreshed: the earlier of its idle and absolute expiry. */
function expiresAt(session: SessionInfo): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}

function buildColumns(onRevoke: (session: SessionInfo) => void): GridColDef<SessionInfo>[] {
  return [
    {
      field: 'deviceName',
      headerName: 'Device',
      flex: 1,
      minWidth: 130,
      renderCell: ({ row }) => (
        <Link href={href.session(row.id)} data-testid={`session-link-${row.id}`}>
          {row.deviceName}
        </Link>
      ),
    },
    {
      field: 'clientId',
      headerName: 'Client',
      width: 100,
      renderCell: ({ row }) => <Link href={href.client(row.clientId)}>{row.clientId}</Link>,
    },
    {
      field: 'browserSessionId',
      headerName: 'Signed in via',
      description: 'The browser session (hosted sign-in page) this session came from, or the password grant',
      width: 120,
      renderCell: ({ row }) =>
        row.browserSessionId === null ? (
          'password grant'
        ) : (
          <span title={row.browserSessionId} data-testid={`session-browser-${row.id}`}>
            {browserSessionLabel(row.browserSessionId)}
          </span>
        ),
    },
    { field: 'ip', headerName: 'IP', width: 110 },
    {
      field: 'userAgent',
      headerName: 'User agent',
      flex: 1,
      minWidth: 120,
      renderCell: ({ row }) => <UserAgent value={row.userAgent} />,
    },
    { field: 'createdAt', headerName: 'Created', width: 95, renderCell: ({ row }) => <RelativeTime at={row.createdAt} /> },
    {
      field: 'lastActivityAt',
      headerName: 'Last activity',
      width: 100,
      renderCell: ({ row }) => <RelativeTime at={row.lastActivityAt} />,
    },
    {
      field: 'expires',
      headerName: 'Expires',
      width: 120,
      renderCell: ({ row }) =>
        row.status === 'revoked' ? <span title={row.revokeReason ?? ''}>revoked <RelativeTime at={row.revokedAt} /></span> : <Countdown at={expiresAt(row)} />,
    },
    { field: 'rememberMe', headerName: 'Remember me', description: 'Signed in with “remember me”', width: 90, renderCell: ({ row }) => (row.rememberMe ? 'yes' : 'no') },
    {
      field: 'status',
      headerName: 'Status',
      width: 90,
      renderCell: ({ row }) => <StatusChip status={row.status} testId={`session-status-${row.id}`} />,
    },
    {
      field: 'actions',
      headerName: '',
      width: 80,
      renderCell: ({ row }) => (
        <Stack direction="row" sx={{ alignItems: 'center', height: '100%' }}>
          <Button
            size="small"
            color="error"
            disabled={!sessionIsOpen(row.status)}
            onClick={() => onRevoke(row)}
            data-testid={`session-revoke-${row.id}`}
          >
            Revoke
          </Button>
        </Stack>
      ),
    },
  ];
}

const SessionRow = testIdRow((row) => `session-row-${String(row.id)}`);

interface Props {
  rows: SessionInfo[];
  total: number;
  loading: boolean;
  pagination: GridPaginationModel;
  onPaginationChange: (model: GridPaginationModel) => void;
  onRevoke: (session: SessionInfo) => void;
}

/** A user's device sessions, paged on the server. */
export function UserSessionsTable({ rows, total, loading, pagination, onPaginationChange, onRevoke }: Props) {
  return (
    <ServerPagedGrid
      testId="sessions-table"
      rows={rows}
      columns={buildColumns(onRevoke)}
      rowCount={total}
      loading={loading}
      paginationModel={pagination}
      onPaginationModelChange={onPaginationChange}
      pageSizeOptions={[10, 25, 50]}
      slots={{ row: SessionRow }}
    />
  );
}

