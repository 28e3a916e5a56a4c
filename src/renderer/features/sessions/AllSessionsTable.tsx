import Box from '@mui/material/Box';
import Link from '@mui/material/Link';
import useMediaQuery from '@mui/material/useMediaQuery';
import { DataGrid, type GridColDef, type GridRowSelectionModel } from '@mui/x-data-grid';
import type { SessionInfo } from '../../../shared/dto';
import { LinkedId } from '../../components/LinkedId';
import { StatusChip } from '../../components/StatusChip';
import { testIdRow } from '../../components/TestIdRow';
import { RelativeTime } from '../../components/TimeText';
import { UserAgent } from '../../components/UserAgent';
import { href } from '../../lib/router';
import { MONO_STACK } from '../../theme';

const columns: GridColDef<SessionInfo>[] = [
  {
    field: 'username',
    headerName: 'User',
    flex: 0.8,
    minWidth: 110,
    renderCell: ({ row }) => (
      <Link href={href.user(row.userId)} data-testid={`all-sessions-user-${row.id}`} sx={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}>
        {row.username}
      </Link>
    ),
  },
  {
    field: 'id',
    headerName: 'Session',
    flex: 1.3,
    minWidth: 150,
    renderCell: ({ row }) => <LinkedId value={row.id} href={href.session(row.id)} label="session id" testId={`all-sessions-link-${row.id}`} wrap />,
  },
  {
    field: 'clientId',
    headerName: 'Client',
    flex: 0.7,
    minWidth: 100,
    renderCell: ({ row }) => <LinkedId value={row.clientId} href={href.client(row.clientId)} label="client id" testId={`all-sessions-client-${row.id}`} wrap />,
  },
  {
    field: 'deviceName',
    headerName: 'Device and address',
    flex: 1.2,
    minWidth: 170,
    // Three short lines rather than three columns: the grid fits a 1024 px window without scrolling sideways.
    renderCell: ({ row }) => (
      <Box sx={{ display: 'flex', flexDirection: 'column', lineHeight: 1.3, py: 0.5, minWidth: 0, whiteSpace: 'normal' }}>
        <span>{row.deviceName}</span>
        <Box component="span" sx={{ fontSize: '0.85em', color: 'text.secondary' }}>
          <UserAgent value={row.userAgent} testId={`all-sessions-ua-${row.id}`} />
        </Box>
        <Box component="span" sx={{ fontFamily: MONO_STACK, fontSize: '0.85em', overflowWrap: 'anywhere' }} data-testid={`all-sessions-ip-${row.id}`}>
          {row.ip}
        </Box>
      </Box>
    ),
  },
  { field: 'lastActivityAt', headerName: 'Last activity', width: 120, renderCell: ({ row }) => <RelativeTime at={row.lastActivityAt} /> },
  { field: 'createdAt', headerName: 'Created', width: 100, renderCell: ({ row }) => <RelativeTime at={row.createdAt} /> },
  { field: 'rememberMe', headerName: 'Remember me', description: 'Signed in with “remember me”', width: 135, renderCell: ({ row }) => (row.rememberMe ? 'yes' : 'no') },
  {
    field: 'status',
    headerName: 'Status',
    width: 120,
    renderCell: ({ row }) => <StatusChip status={row.status} testId={`all-sessions-status-${row.id}`} />,
  },
];

const Row = testIdRow((row) => `all-sessions-row-${String(row.id)}`);

interface Props {
  rows: SessionInfo[];
  loading: boolean;
  /** Selected session ids, across pages. */
  selected: ReadonlySet<string>;
  onSelectedChange: (selected: Set<string>) => void;
}

/**
 * One page of sessions with checkboxes. The selection is kept by id across pages (the server pages by cursor;
 * the grid only ever holds one page), so "select on page 1, then page 2" adds up.
 */
export function AllSessionsTable({ rows, loading, selected, onSelectedChange }: Props) {
  // Below 1440 px the creation time and remember-me columns step aside (the filters still select on them).
  const wide = useMediaQuery('(min-width: 1440px)');
  const onPage = new Set(rows.map((row) => row.id));
  const model: GridRowSelectionModel = { type: 'include', ids: new Set(rows.filter((row) => selected.has(row.id)).map((row) => row.id)) };
  const change = (next: GridRowSelectionModel) => {
    const chosen = rows.filter((row) => (next.type === 'include' ? next.ids.has(row.id) : !next.ids.has(row.id))).map((row) => row.id);
    onSelectedChange(new Set([...[...selected].filter((id) => !onPage.has(id)), ...chosen]));
  };
  return (
    <Box data-testid="all-sessions-table">
      <DataGrid<SessionInfo>
        rows={rows}
        columns={columns}
        columnVisibilityModel={{ createdAt: wide, rememberMe: wide }}
        loading={loading}
        checkboxSelection
        rowSelectionModel={model}
        onRowSelectionModelChange={change}
        disableRowSelectionOnClick
        disableColumnFilter
        disableColumnSorting
        disableColumnMenu
        // The last column's separator would stick out 5 px past the grid, which then scrolls sideways.
        disableColumnResize
        sx={{ '& .MuiDataGrid-columnHeader:last-of-type .MuiDataGrid-columnSeparator, & .MuiDataGrid-columnHeader--last .MuiDataGrid-columnSeparator': { display: 'none' } }}
        hideFooter
        autoHeight
        getRowHeight={() => 'auto'}
        density="compact"
        slots={{ row: Row }}
        localeText={{ noRowsLabel: 'No session matches these filters on this page' }}
      />
    </Box>
  );
}
