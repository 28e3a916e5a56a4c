import { RoleButton } from '../../components/RoleButton';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import type { GridPaginationModel } from '@mui/x-data-grid';
import { useState } from 'react';
import type { SessionStatus } from '../../../shared/dto';
import { api, useAction, useAdminQuery } from '../../api';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { StatusChip } from '../../components/StatusChip';
import {
  blockUserSpec,
  bumpRefreshVersionSpec,
  forceLogoutSpec,
  revokeSessionSpec,
  unblockUserSpec,
} from '../actions/action-specs';
import { useConfirmAction } from '../actions/use-confirm-action';
import { UserFacts } from './UserFacts';
import { DeleteUserDialog } from './DeleteUserDialog';
import { EditUserDialog } from './EditUserDialog';
import { SetPasswordDialog } from './SetPasswordDialog';
import { UserSessionsTable } from './UserSessionsTable';
import { BrowserSessionGroups } from './BrowserSessionGroups';
import { groupByBrowserSession } from './browser-session-groups';

type SessionFilter = SessionStatus | 'all';

/** One user: account facts, device sessions, and the actions that end them. */
export function UserDetailPage({ userId }: { userId: string }) {
  const [filter, setFilter] = useState<SessionFilter>('all');
  const [pagination, setPagination] = useState<GridPaginationModel>({ page: 0, pageSize: 25 });
  const [confirm, dialog] = useConfirmAction();
  const [open, setOpen] = useState<'edit' | 'password' | 'delete' | null>(null);
  const [unlock, unlocking] = useAction(api.unlockUser);
  const mine = { refreshOn: (event: { userId: string | null }) => event.userId === userId, throttleMs: 300 };
  const user = useAdminQuery('getUser', { userId }, mine);
  const sessions = useAdminQuery(
    'listSessions',
    {
      userId,
      status: filter === 'all' ? undefined : filter,
      offset: pagination.page * pagination.pageSize,
      limit: pagination.pageSize,
    },
    { ...mine, keepPrevious: true },
  );

  if (!user.data) {
    return (
      <>
        <PageHeader title="User" />
        <ErrorAlert error={user.error} title="Could not load this user" />
        {user.loading && <Loading />}
      </>
    );
  }
  const u = user.data;
  const grouped = sessions.data ? groupByBrowserSession(sessions.data.items) : undefined;
  const actions = (
    <>
      <RoleButton method="forceLogout" color="error" variant="contained" onClick={() => confirm(forceLogoutSpec(u.id, u.username))} data-testid="action-force-logout">
        Force logout
      </RoleButton>
      <RoleButton method="bumpRefreshVersion" color="warning" variant="outlined" onClick={() => confirm(bumpRefreshVersionSpec(u.id, u.username))} data-testid="action-bump-refresh-version">
        Bump refresh version
      </RoleButton>
      {u.status === 'blocked' ? (
        <RoleButton method="unblockUser" variant="outlined" onClick={() => confirm(unblockUserSpec(u.id, u.username))} data-testid="action-unblock">
          Unblock
        </RoleButton>
      ) : (
        <RoleButton method="blockUser" color="error" variant="outlined" onClick={() => confirm(blockUserSpec(u.id, u.username))} data-testid="action-block">
          Block
        </RoleButton>
      )}
      {/* Enabled while there is something to end: a lock, or failed logins counting towards one. */}
      <RoleButton method="unlockUser" variant="outlined" disabled={unlocking.busy || (u.status !== 'locked' && u.failedLogins === 0)} onClick={() => void unlock({ userId: u.id })} data-testid="action-unlock">
        Unlock
      </RoleButton>
      <RoleButton method="setUserPassword" variant="outlined" onClick={() => setOpen('password')} data-testid="action-set-password">
        Set password
      </RoleButton>
      <RoleButton method="updateUser" variant="outlined" onClick={() => setOpen('edit')} data-testid="action-edit-user">
        Edit profile
      </RoleButton>
      <RoleButton method="deleteUser" color="error" variant="text" onClick={() => setOpen('delete')} data-testid="action-delete-user">
        Delete
      </RoleButton>
    </>
  );

  return (
    <>
      <PageHeader
        title={
          <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
            <span data-testid="user-name">{u.username}</span>
            <StatusChip status={u.status} testId="user-status" />
          </Stack>
        }
        subtitle={`${u.displayName ? `${u.displayName} · ` : ''}${u.activeSessions} active session${u.activeSessions === 1 ? '' : 's'}`}
        actions={actions}
      />
      <ErrorAlert error={user.error} title="Could not refresh this user" />
      <ErrorAlert error={unlocking.error} title="Could not unlock this user" testId="unlock-error" />
      <UserFacts user={u} />
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', mb: 1, flexWrap: 'wrap' }}>
        <Typography variant="h6" component="h2">
          Device sessions
        </Typography>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={filter}
          onChange={(_event, next: SessionFilter | null) => {
            if (next === null) return;
            setFilter(next);
            setPagination((p) => ({ ...p, page: 0 }));
          }}
          aria-label="Filter sessions by status"
        >
          {(['all', 'active', 'cant_refresh', 'revoked', 'expired'] as const).map((value) => (
            <ToggleButton key={value} value={value} data-testid={`sessions-status-${value}`}>
              {value === 'cant_refresh' ? "can't refresh" : value}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
      </Stack>
      <ErrorAlert error={sessions.error} title="Could not load sessions" />
      {!sessions.data && sessions.loading && <Loading />}
      {sessions.data && sessions.data.total === 0 && (
        <EmptyState
          title={filter === 'all' ? 'No sessions yet' : `No ${filter} sessions`}
          hint="Sessions appear here live when this user signs in: through the token endpoint on a device, or on the hosted sign-in page from an app."
          testId="sessions-empty"
        />
      )}
      {grouped && <BrowserSessionGroups groups={grouped.groups} />}
      {sessions.data && grouped && sessions.data.total > 0 && (
        <UserSessionsTable
          rows={grouped.rows}
          total={sessions.data.total}
          loading={sessions.loading}
          pagination={pagination}
          onPaginationChange={setPagination}
          onRevoke={(session) => confirm(revokeSessionSpec(session.id, session.deviceName))}
        />
      )}
      {dialog}
      <EditUserDialog open={open === 'edit'} user={u} onClose={() => setOpen(null)} />
      <SetPasswordDialog open={open === 'password'} userId={u.id} username={u.username} onClose={() => setOpen(null)} />
      <DeleteUserDialog open={open === 'delete'} userId={u.id} username={u.username} onClose={() => setOpen(null)} />
    </>
  );
}
