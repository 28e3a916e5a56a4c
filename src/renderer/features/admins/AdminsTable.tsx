import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { useState } from 'react';
import { ADMIN_ROLES, type AdminRole } from '../../../shared/admin-api';
import type { AdminInfo } from '../../../shared/admin-accounts';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RelativeTime } from '../../components/TimeText';
import { roleHint, useCan } from '../../lib/role';
import { ConfirmDialog } from './ConfirmDialog';
import { ResetPasswordDialog } from './PasswordDialog';

interface Props {
  admins: AdminInfo[];
  /** The signed-in admin's id (their row says "you"). */
  selfId: string | null;
  onChanged: () => void;
}

type Pending = { kind: 'disable' | 'enable' | 'remove_totp'; admin: AdminInfo } | null;

/** Every named admin with role, status and second factor; owners change them in place. */
export function AdminsTable({ admins, selfId, onChanged }: Props) {
  const canUpdate = useCan('updateAdmin');
  const canReset = useCan('resetAdminPassword');
  const [resetting, setResetting] = useState<AdminInfo | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [update, updateState] = useAction(api.updateAdmin);
  const [removeTotp, removeState] = useAction(api.removeAdminTotp);

  const changeRole = async (admin: AdminInfo, role: AdminRole) => {
    if (await update({ adminId: admin.id, role })) onChanged();
  };
  const confirm = async () => {
    if (!pending) return;
    const done =
      pending.kind === 'remove_totp'
        ? await removeTotp({ adminId: pending.admin.id })
        : await update({ adminId: pending.admin.id, disabled: pending.kind === 'disable' });
    if (done) {
      setPending(null);
      onChanged();
    }
  };
  const pendingText: Record<NonNullable<Pending>['kind'], string> = {
    disable: 'They can no longer sign in; their console sessions and API keys end at once.',
    enable: 'They can sign in again with their password. Their old sessions and keys stay ended.',
    remove_totp: 'They sign in with their password alone until they enroll again (or must enroll at once when owners require it).',
  };

  return (
    <>
      <ErrorAlert error={pending ? undefined : updateState.error} title="Could not change the admin" testId="admins-update-error" />
      <TableContainer>
        <Table size="small" aria-label="Admins" data-testid="admins-table">
          <TableHead>
            <TableRow>
              <TableCell>Username</TableCell>
              <TableCell>Role</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Two-step</TableCell>
              <TableCell>Last sign-in</TableCell>
              <TableCell align="right">Actions</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {admins.map((admin) => (
              <TableRow key={admin.id} data-testid={`admin-row-${admin.username}`} data-admin-id={admin.id}>
                <TableCell>
                  {admin.username} {admin.id === selfId && <Chip size="small" label="you" variant="outlined" sx={{ ml: 0.5 }} />}
                </TableCell>
                <TableCell>
                  <Tooltip title={canUpdate ? '' : roleHint('updateAdmin')}>
                    <TextField
                      select
                      size="small"
                      value={admin.role}
                      disabled={!canUpdate || updateState.busy}
                      onChange={(event) => void changeRole(admin, event.target.value as AdminRole)}
                      slotProps={{
                        htmlInput: { 'aria-label': `Role of ${admin.username}` },
                        select: { SelectDisplayProps: { 'data-testid': `admin-role-${admin.username}`, 'aria-label': `Role of ${admin.username}` } as Record<string, string> },
                      }}
                    >
                      {ADMIN_ROLES.map((role) => (
                        <MenuItem key={role} value={role} data-testid={`admin-role-option-${role}`}>
                          {role}
                        </MenuItem>
                      ))}
                    </TextField>
                  </Tooltip>
                </TableCell>
                <TableCell data-testid={`admin-status-${admin.username}`}>
                  {admin.disabled ? <Chip size="small" color="default" label="disabled" /> : <Chip size="small" color="success" variant="outlined" label="enabled" />}
                  {admin.lockedUntil !== null && <Chip size="small" color="warning" label="locked" sx={{ ml: 0.5 }} />}
                </TableCell>
                <TableCell data-testid={`admin-totp-${admin.username}`}>{admin.totpEnabled ? 'on' : 'off'}</TableCell>
                <TableCell>
                  <RelativeTime at={admin.lastLoginAt} />
                </TableCell>
                <TableCell align="right">
                  <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end' }}>
                    <Tooltip title={canUpdate ? '' : roleHint('updateAdmin')}>
                      <span>
                        <Button
                          size="small"
                          color={admin.disabled ? 'primary' : 'error'}
                          disabled={!canUpdate}
                          onClick={() => setPending({ kind: admin.disabled ? 'enable' : 'disable', admin })}
                          data-testid={`admin-toggle-${admin.username}`}
                        >
                          {admin.disabled ? 'Enable' : 'Disable'}
                        </Button>
                      </span>
                    </Tooltip>
                    <Tooltip title={canReset ? '' : roleHint('resetAdminPassword')}>
                      <span>
                        <Button size="small" disabled={!canReset || admin.id === selfId} onClick={() => setResetting(admin)} data-testid={`admin-reset-password-${admin.username}`}>
                          Reset password
                        </Button>
                      </span>
                    </Tooltip>
                    {admin.totpEnabled && (
                      <Button size="small" disabled={!canUpdate} onClick={() => setPending({ kind: 'remove_totp', admin })} data-testid={`admin-remove-totp-${admin.username}`}>
                        Remove two-step
                      </Button>
                    )}
                  </Stack>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${pending.kind === 'disable' ? 'Disable' : pending.kind === 'enable' ? 'Enable' : 'Remove two-step sign-in of'} ${pending.admin.username}?` : ''}
        text={pending ? pendingText[pending.kind] : ''}
        confirmLabel={pending?.kind === 'enable' ? 'Enable' : pending?.kind === 'disable' ? 'Disable' : 'Remove'}
        busy={updateState.busy || removeState.busy}
        error={updateState.error ?? removeState.error}
        onConfirm={() => void confirm()}
        onClose={() => {
          setPending(null);
          updateState.reset();
          removeState.reset();
        }}
      />
      <ResetPasswordDialog
        admin={resetting}
        onClose={() => {
          setResetting(null);
          onChanged();
        }}
      />
    </>
  );
}
