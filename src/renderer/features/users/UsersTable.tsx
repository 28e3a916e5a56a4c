import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type GridColDef, type GridPaginationModel, type GridSortModel } from '@mui/x-data-grid';
import type { UserSummary } from '../../../shared/dto';
import { ServerPagedGrid } from '../../components/ServerPagedGrid';
import { StatusChip } from '../../components/StatusChip';
import { testIdRow } from '../../components/TestIdRow';
import { RelativeTime } from '../../components/TimeText';
import { href, navigate } from '../../lib/router';

/** The columns the server sorts by (listUsers `sort.by`); the others are not sortable. */
export const SORTABLE = ['username', 'status', 'lastLoginAt', 'createdAt'] as const;

const columns: GridColDef<UserSummary>[] = [
  {
    field: 'username',
    headerName: 'Username',
    flex: 1,
    minWidth: 130,
    renderCell: ({ row }) => (
      <Link href={href.user(row.id)} data-testid={`user-link-${row.username}`} onClick={(event) => event.stopPropagation()}>
        {row.username}
      </Link>
    ),
  },
  {
    field: 'displayName',
    headerName: 'Name',
    flex: 1,
    minWidth: 110,
    sortable: false,
    renderCell: ({ row }) => row.displayName ?? '',
  },
  {
    field: 'email',
    headerName: 'Email',
    flex: 1,
    minWidth: 170,
    sortable: false,
    renderCell: ({ row }) => row.email ?? '',
  },
  {
    field: 'status',
    headerName: 'Status',
    width: 180,
    renderCell: ({ row }) => (
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', height: '100%' }}>
        <StatusChip status={row.status} testId={`user-status-${row.username}`} />
        {row.status === 'locked' && row.lockedUntil !== null && (
          <span data-testid={`user-unlocks-${row.username}`}>
            unlocks <RelativeTime at={row.lockedUntil} />
          </span>
        )}
      </Stack>
    ),
  },
  {
    field: 'activeSessions',
    headerName: 'Sessions',
    description: 'Active sessions',
    width: 90,
    type: 'number',
    sortable: false,
    renderCell: ({ row }) => <span data-testid={`user-sessions-${row.username}`}>{row.activeSessions}</span>,
  },
  {
    field: 'lastLoginAt',
    headerName: 'Last login',
    width: 115,
    renderCell: ({ row }) => (row.lastLoginAt === null ? 'never' : <RelativeTime at={row.lastLoginAt} />),
  },
  {
    field: 'createdAt',
    headerName: 'Created',
    width: 115,
    renderCell: ({ row }) => <RelativeTime at={row.createdAt} />,
  },
];

/** Left out on narrow screens (1024 px), so the grid fits its container without scrolling sideways. */
const WIDE_ONLY = new Set(['email', 'createdAt']);
const narrowColumns = columns.filter((column) => !WIDE_ONLY.has(column.field));

const UserRow = testIdRow((row) => `user-row-${String(row.username)}`);

interface Props {
  rows: UserSummary[];
  total: number;
  loading: boolean;
  pagination: GridPaginationModel;
  onPaginationChange: (model: GridPaginationModel) => void;
  sort: GridSortModel;
  onSortChange: (model: GridSortModel) => void;
}

/** One page of users; searching, sorting and paging all happen on the server. */
export function UsersTable({ rows, total, loading, pagination, onPaginationChange, sort, onSortChange }: Props) {
  const wide = useMediaQuery('(min-width: 1280px)');
  return (
    <ServerPagedGrid
      testId="users-table"
      rows={rows}
      columns={wide ? columns : narrowColumns}
      rowCount={total}
      loading={loading}
      paginationModel={pagination}
      onPaginationModelChange={onPaginationChange}
      sortModel={sort}
      onSortModelChange={onSortChange}
      pageSizeOptions={[10, 25, 50, 100]}
      onRowClick={({ row }) => navigate(href.user(row.id))}
      slots={{ row: UserRow }}
      sx={{ '& .MuiDataGrid-row': { cursor: 'pointer' } }}
    />
  );
}
