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
import { ADMIN_ROLES, type AdminRole } from '../../../shared/admin-api';
import { api, useAction } from '../../api';
import { fieldErrors } from '../../components/field-errors';
import { ROLE_HELP } from './roles';

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: () => void;
}

/** A new named admin: username, first password (they change it under "Your account") and role. */
export function CreateAdminDialog({ open, onClose, onCreated }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="create-admin-dialog" aria-labelledby="create-admin-title">
      {open && <CreateAdminForm onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function CreateAdminForm({ onClose, onCreated }: Omit<Props, 'open'>) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<AdminRole>('viewer');
  const [create, state] = useAction(api.createAdmin);
  const errors = fieldErrors(state.error, ['username', 'password'] as const);
  const usernameError = errors.fields.username ?? (state.error?.code === 'conflict' ? state.error.message : undefined);
  const general = state.error?.code === 'conflict' ? null : errors.general;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await create({ username: username.trim(), password, role })) onCreated();
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="create-admin-title">Create admin</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Username"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            autoFocus
            required
            autoComplete="off"
            error={usernameError !== undefined}
            helperText={usernameError ?? 'Letters, digits and . _ - @'}
            slotProps={{ htmlInput: { 'data-testid': 'create-admin-username' } }}
          />
          <TextField
            label="First password"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            autoComplete="new-password"
            error={errors.fields.password !== undefined}
            helperText={errors.fields.password ?? 'At least 8 characters; tell it to them out of band'}
            slotProps={{ htmlInput: { 'data-testid': 'create-admin-password' } }}
          />
          <TextField
            select
            label="Role"
            value={role}
            onChange={(event) => setRole(event.target.value as AdminRole)}
            helperText={ROLE_HELP[role]}
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'create-admin-role' } as object } }}
          >
            {ADMIN_ROLES.map((value) => (
              <MenuItem key={value} value={value} data-testid={`create-admin-role-${value}`}>
                {value}
              </MenuItem>
            ))}
          </TextField>
          {state.error && general !== null && (
            <Alert severity="error" data-testid="create-admin-error" data-error-code={state.error.code}>
              {general} <code>({state.error.code})</code>
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="create-admin-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy} data-testid="create-admin-submit">
          Create
        </Button>
      </DialogActions>
    </form>
  );
}
