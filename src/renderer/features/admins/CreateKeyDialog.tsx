import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { AdminInfo } from '../../../shared/admin-accounts';
import { api, useAction } from '../../api';
import { CopyableId } from '../../components/CopyableId';

interface Props {
  open: boolean;
  admins: AdminInfo[];
  onClose: () => void;
}

/**
 * An API key for scripts, acting as one admin (with that admin's role). The key is shown once, here:
 * the service keeps only its hash.
 */
export function CreateKeyDialog({ open, admins, onClose }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="create-admin-key-dialog" aria-labelledby="create-admin-key-title">
      {open && <CreateKeyForm admins={admins} onClose={onClose} />}
    </Dialog>
  );
}

function CreateKeyForm({ admins, onClose }: Omit<Props, 'open'>) {
  const enabled = admins.filter((admin) => !admin.disabled);
  const [adminId, setAdminId] = useState(enabled[0]?.id ?? '');
  const [name, setName] = useState('');
  const [create, state] = useAction(api.createAdminKey);
  const [created, setCreated] = useState<{ keyId: string; key: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await create({ adminId, name: name.trim() });
    if (result) setCreated(result);
  };

  if (created) {
    const owner = admins.find((admin) => admin.id === adminId);
    return (
      <>
        <DialogTitle id="create-admin-key-title">API key for {owner?.username}</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <Alert severity="warning">Copy this key now. It is shown only once: Token Warden keeps only its hash.</Alert>
            <div>
              Key: <CopyableId value={created.key} label="API key" testId="admin-key-secret" wrap />
            </div>
            <div>
              Key id: <CopyableId value={created.keyId} label="key id" testId="admin-key-id" />
            </div>
            <Alert severity="info">
              Send it as <code>Authorization: Bearer &lt;key&gt;</code> to <code>POST /admin/rpc/&lt;method&gt;</code>; it acts with the role of{' '}
              {owner?.username} ({owner?.role}).
            </Alert>
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={onClose} data-testid="admin-key-done">
            I have saved it
          </Button>
        </DialogActions>
      </>
    );
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="create-admin-key-title">Create API key</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            select
            label="Acts as"
            value={adminId}
            onChange={(event) => setAdminId(event.target.value)}
            helperText="The key has this admin's role; it ends when they are disabled or their password is reset."
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'create-admin-key-admin' } as Record<string, string> } }}
          >
            {enabled.map((admin) => (
              <MenuItem key={admin.id} value={admin.id} data-testid={`create-admin-key-admin-${admin.username}`}>
                {admin.username} ({admin.role})
              </MenuItem>
            ))}
          </TextField>
          <TextField
            label="Name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            autoFocus
            helperText="What uses it, e.g. “nightly export”"
            slotProps={{ htmlInput: { maxLength: 100, 'data-testid': 'create-admin-key-name' } }}
          />
          {state.error && (
            <Alert severity="error" data-testid="create-admin-key-error" data-error-code={state.error.code}>
              {state.error.message} <code>({state.error.code})</code>
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={state.busy || adminId === '' || name.trim() === ''} data-testid="create-admin-key-submit">
          Create key
        </Button>
      </DialogActions>
    </form>
  );
}
