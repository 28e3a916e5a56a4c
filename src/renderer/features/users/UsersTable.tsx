import Link from '@mui/material/Link';
import { ServerPagedGrid } from '../../components/ServerPagedGrid';
import { type GridColDef, type GridPaginationModel } from '@mui/x-data-grid';
import type { UserSummary } from '../../../shared/dto';
import { StatusChip } from '../../components/StatusChip';
import { testIdRow } from '../../components/TestIdRow';
import { RelativeTime } from '../../components/TimeText';
import { href, navigate } from '../../lib/router';

const columns: GridColDef<UserSummary>[] = [
  {
    field: 'username',
    headerName: 'Username',
    flex: 1,
    minWidth: 160,
    sortable: false,
    renderCell: ({ row }) => (
      <Link href={href.user(row.id)} data-testid={`user-link-${row.username}`} onClick={(event) => event.stopPropagation()}>
        {row.username}
      </Link>
    ),
  },
  {
    field: 'status',
    headerName: 'Status',
    width: 110,
    sortable: false,
    renderCell: ({ row }) => <StatusChip status={row.status} testId={`user-status-${row.username}`} />,
  },
  {
    field: 'activeSessions',
    headerName: 'Active sessions',
    width: 140,
    type: 'number',
    sortable: false,
    renderCell: ({ row }) => <span data-testid={`user-sessions-${row.username}`}>{row.activeSessions}</span>,
  },
  {
    field: 'lastLoginAt',
    headerName: 'Last login',
    width: 150,
    sortable: false,
    renderCell: ({ row }) => (row.lastLoginAt === null ? 'never' : <RelativeTime at={row.lastLoginAt} />),
  },
  {
    field: 'createdAt',
    headerName: 'Created',
    width: 150,
    sortable: false,
    renderCell: ({ row }) => <RelativeTime at={row.createdAt} />,
  },
];

const UserRow = testIdRow((row) => `user-row-${String(row.username)}`);

interface Props {
  rows: UserSummary[];
  total: number;
  loading: boolean;
  pagination: GridPaginationModel;
  onPaginationChange: (model: GridPaginationModel) => void;
}

/** One page of users; paging and filtering happen on the server. */
export function UsersTable({ rows, total, loading, pagination, onPaginationChange }: Props) {
  return (
    <ServerPagedGrid
      testId="users-table"
      rows={rows}
      columns={columns}
      rowCount={total}
      loading={loading}
      paginationModel={pagination}
      onPaginationModelChange={onPaginationChange}
      pageSizeOptions={[10, 25, 50, 100]}
      onRowClick={({ row }) => navigate(href.user(row.id))}
      slots={{ row: UserRow }}
      sx={{ '& .MuiDataGrid-row': { cursor: 'pointer' } }}
    />
  );
}
