import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { AdminInfo, AdminKeyInfo } from '../../../shared/admin-accounts';
import { api, useAction, useAdminQuery } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RelativeTime } from '../../components/TimeText';
import { roleHint, useCan } from '../../lib/role';
import { ConfirmDialog } from './ConfirmDialog';
import { CreateKeyDialog } from './CreateKeyDialog';

/** Every admin API key, revoked ones included, with when each was last used. */
export function AdminKeysSection({ admins }: { admins: AdminInfo[] }) {
  const canCreate = useCan('createAdminKey');
  const canRevoke = useCan('revokeAdminKey');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AdminKeyInfo | null>(null);
  const keys = useAdminQuery('listAdminKeys', {}, { refreshOn: (event) => event.type.startsWith('admin.'), throttleMs: 500 });
  const [revoke, revokeState] = useAction(api.revokeAdminKey);

  const confirmRevoke = async () => {
    if (revoking && (await revoke({ keyId: revoking.keyId }))) {
      setRevoking(null);
      keys.refetch();
    }
  };

  return (
    <section aria-labelledby="admin-keys-title">
      <Typography variant="h6" component="h2" id="admin-keys-title" sx={{ mt: 4, mb: 1 }}>
        API keys
      </Typography>
      <Typography variant="body2" sx={{ color: 'text.secondary', mb: 1 }}>
        For scripts: <code>Authorization: Bearer &lt;key&gt;</code>, acting as one admin with their role.{' '}
        <Tooltip title={canCreate ? '' : roleHint('createAdminKey')}>
          <span>
            <Button size="small" variant="outlined" disabled={!canCreate || admins.length === 0} onClick={() => setCreating(true)} data-testid="create-admin-key-open">
              Create API key
            </Button>
          </span>
        </Tooltip>
      </Typography>
      <ErrorAlert error={keys.error} title="Could not load API keys" />
      {keys.data && keys.data.length === 0 && (
        <Typography variant="body2" data-testid="admin-keys-empty">
          No API keys yet.
        </Typography>
      )}
      {keys.data && keys.data.length > 0 && (
        <TableContainer>
          <Table size="small" aria-label="API keys" data-testid="admin-keys-table">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Acts as</TableCell>
                <TableCell>Key id</TableCell>
                <TableCell>Created</TableCell>
                <TableCell>Last used</TableCell>
                <TableCell align="right">State</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {keys.data.map((key) => (
                <TableRow key={key.keyId} data-testid={`admin-key-row-${key.keyId}`} data-name={key.name} data-revoked={key.revokedAt !== null}>
                  <TableCell>{key.name}</TableCell>
                  <TableCell>{key.username}</TableCell>
                  <TableCell>
                    <CopyableId value={key.keyId} label="key id" />
                  </TableCell>
                  <TableCell>
                    <RelativeTime at={key.createdAt} />
                  </TableCell>
                  <TableCell data-testid={`admin-key-last-used-${key.keyId}`}>
                    {key.lastUsedAt === null ? 'never' : <RelativeTime at={key.lastUsedAt} />}
                  </TableCell>
                  <TableCell align="right">
                    {key.revokedAt !== null ? (
                      <Chip size="small" label={`revoked${key.revokedBy ? ` by ${key.revokedBy}` : ''}`} />
                    ) : (
                      <Tooltip title={canRevoke ? '' : roleHint('revokeAdminKey')}>
                        <span>
                          <Button size="small" color="error" disabled={!canRevoke} onClick={() => setRevoking(key)} data-testid={`admin-key-revoke-${key.keyId}`}>
                            Revoke
                          </Button>
                        </span>
                      </Tooltip>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <CreateKeyDialog
        open={creating}
        admins={admins}
        onClose={() => {
          setCreating(false);
          keys.refetch();
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke the key “${revoking?.name ?? ''}”?`}
        text="Scripts using it get 401 at once. This cannot be undone: create a new key instead."
        confirmLabel="Revoke"
        busy={revokeState.busy}
        error={revokeState.error}
        onConfirm={() => void confirmRevoke()}
        onClose={() => {
          setRevoking(null);
          revokeState.reset();
        }}
      />
    </section>
  );
}
