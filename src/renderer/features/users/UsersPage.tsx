import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import PersonAddIcon from '@mui/icons-material/PersonAdd';
import type { GridPaginationModel } from '@mui/x-data-grid';
import { useState } from 'react';
import type { UserStatus } from '../../../shared/dto';
import { useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useDebounced } from '../../components/use-debounced';
import { CreateUserDialog } from './CreateUserDialog';
import { UsersTable } from './UsersTable';

type StatusFilter = UserStatus | 'all';

/** Users: prefix search and status filter on the server, live as users sign in and out. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [pagination, setPagination] = useState<GridPaginationModel>({ page: 0, pageSize: 25 });
  const [creating, setCreating] = useState(false);
  const settledSearch = useDebounced(search.trim(), 250);

  const users = useAdminQuery(
    'listUsers',
    {
      search: settledSearch === '' ? undefined : settledSearch,
      status: status === 'all' ? undefined : status,
      offset: pagination.page * pagination.pageSize,
      limit: pagination.pageSize,
    },
    {
      // Session counts and statuses change with logins, refreshes and revocations.
      refreshOn: (event) => event.type.startsWith('user.') || event.type.startsWith('session.'),
      throttleMs: 500,
      keepPrevious: true,
    },
  );

  const filtered = settledSearch !== '' || status !== 'all';
  const openCreate = (
    <Button variant="contained" startIcon={<PersonAddIcon />} onClick={() => setCreating(true)} data-testid="create-user-open">
      Create user
    </Button>
  );

  return (
    <>
      <PageHeader title="Users" subtitle="Search by username prefix; click a user for their devices and tokens." actions={openCreate} />
      <Stack direction="row" spacing={2} useFlexGap sx={{ mb: 2, alignItems: 'center', flexWrap: 'wrap' }}>
        <TextField
          label="Search username"
          value={search}
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
          {(['all', 'active', 'blocked'] as const).map((value) => (
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
            <Button variant="contained" onClick={() => setCreating(true)} data-testid="create-user-empty">
              Create the first user
            </Button>
          }
          testId="users-empty"
        />
      )}
      {users.data && users.data.total === 0 && filtered && (
        <EmptyState title="No users match" hint="Try a shorter prefix or another status." testId="users-no-match" />
      )}
      {users.data && users.data.total > 0 && (
        <UsersTable
          rows={users.data.items}
          total={users.data.total}
          loading={users.loading}
          pagination={pagination}
          onPaginationChange={setPagination}
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
