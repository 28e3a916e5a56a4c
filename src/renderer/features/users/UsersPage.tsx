import { RoleButton } from '../../components/RoleButton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import type { GridPaginationModel, GridSortModel } from '@mui/x-data-grid';
import { useState } from 'react';
import type { UserListStatus, UserSort } from '../../../shared/dto';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useDebounced } from '../../components/use-debounced';
import { CreateUserDialog } from './CreateUserDialog';
import { SORTABLE, UsersTable } from './UsersTable';

type StatusFilter = UserListStatus | 'all';

/** The grid's sort model as listUsers' `sort` (undefined: the server's default, newest first). */
function toSort(model: GridSortModel): { by: UserSort; dir: 'asc' | 'desc' } | undefined {
  const first = model[0];
  const by = SORTABLE.find((field) => field === first?.field);
  return by && first?.sort ? { by, dir: first.sort } : undefined;
}

/** Users: substring search, status filter and sort on the server, live as users sign in and out. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [pagination, setPagination] = useState<GridPaginationModel>({ page: 0, pageSize: 25 });
  const [sort, setSort] = useState<GridSortModel>([]);
  const [creating, setCreating] = useState(false);
  const settledSearch = useDebounced(search.trim(), 250);

  const users = useAdminQuery(
    'listUsers',
    {
      search: settledSearch === '' ? undefined : settledSearch,
      status: status === 'all' ? undefined : status,
      sort: toSort(sort),
      offset: pagination.page * pagination.pageSize,
      limit: pagination.pageSize,
    },
    {
      // Session counts and statuses change with logins, refreshes and revocations.
      refreshOn: (event) => event.type.startsWith('user.') || event.type.startsWith('session') || event.type.startsWith('sessions.'),
      throttleMs: 500,
      keepPrevious: true,
    },
  );

  const filtered = settledSearch !== '' || status !== 'all';
  const openCreate = (
    <RoleButton method="createUser" variant="contained" startIcon={<PersonAddIcon />} onClick={() => setCreating(true)} data-testid="create-user-open">
      Create user
    </RoleButton>
  );

  return (
    <>
      <PageHeader title="Users" subtitle="Search by username, name or email; click a user for their profile, devices and tokens." actions={openCreate} />
      <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          label="Search users"
          value={search}
          helperText="3+ characters: anywhere in username, name or email; 1–2: start of the username"
          sx={{ minWidth: 320 }}
          onChange={(event) => {
            setSearch(event.target.value);
            setPagination((p) => ({ ...p, page: 0 }));
          }}
          size="small"
          type="search"
          slotProps={{ htmlInput: { 'data-testid': 'users-search' } }}
        />
        <ToggleButtonGroup
          exclusive
          size="small"
          value={status}
          onChange={(_event, next: StatusFilter | null) => {
            if (next === null) return;
            setStatus(next);
            setPagination((p) => ({ ...p, page: 0 }));
          }}
          aria-label="Filter by status"
        >
          {(['all', 'active', 'locked', 'blocked'] as const).map((value) => (
            <ToggleButton key={value} value={value} data-testid={`users-status-${value}`}>
              {value}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {users.data && (
          <span data-testid="users-total">
            {users.data.total.toLocaleString()} {users.data.total === 1 ? 'user' : 'users'}
          </span>
        )}
      </Stack>
      <ErrorAlert error={users.error} title="Could not load users" />
      {!users.data && users.loading && <Loading />}
      {users.data && users.data.total === 0 && !filtered && (
        <EmptyState
          title="No users yet — create one"
          hint="Users sign in through the token endpoint; create one here to get started."
          action={
            <RoleButton method="createUser" variant="contained" onClick={() => setCreating(true)} data-testid="create-user-empty">
              Create the first user
            </RoleButton>
          }
          testId="users-empty"
        />
      )}
      {users.data && users.data.total === 0 && filtered && (
        <EmptyState title="No users match" hint="Try fewer characters or another status." testId="users-no-match" />
      )}
      {users.data && users.data.total > 0 && (
        <UsersTable
          rows={users.data.items}
          total={users.data.total}
          loading={users.loading}
          pagination={pagination}
          onPaginationChange={setPagination}
          sort={sort}
          onSortChange={(model) => {
            setSort(model);
            setPagination((p) => ({ ...p, page: 0 }));
          }}
        />
      )}
      <CreateUserDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={() => {
          setCreating(false);
          users.refetch();
        }}
      />
    </>
  );
}
