import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { api, useAction } from '../../api';
import { fieldErrors } from '../../components/field-errors';

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: (user: { id: string; username: string }) => void;
}

/** Create a user: username and password, with the server's validation shown on the field it concerns. */
export function CreateUserDialog({ open, onClose, onCreated }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="create-user-dialog">
      {open && <CreateUserForm onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function CreateUserForm({ onClose, onCreated }: Omit<Props, 'open'>) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [create, state] = useAction(api.createUser);
  const errors = fieldErrors(state.error, ['username', 'password'] as const);
  // A taken username comes back as a conflict, not as a field error.
  const usernameError = errors.fields.username ?? (state.error?.code === 'conflict' ? state.error.message : undefined);
  const general = state.error?.code === 'conflict' ? null : errors.general;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await create({ username: username.trim(), password });
    if (created) onCreated({ id: created.id, username: username.trim() });
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle>Create user</DialogTitle>
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
            helperText={<span data-testid="create-user-username-help">{usernameError ?? 'Letters, digits and . _ - @'}</span>}
            slotProps={{ htmlInput: { 'data-testid': 'create-user-username' } }}
          />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            autoComplete="new-password"
            error={errors.fields.password !== undefined}
            helperText={<span data-testid="create-user-password-help">{errors.fields.password ?? 'At least 8 characters'}</span>}
            slotProps={{ htmlInput: { 'data-testid': 'create-user-password' } }}
          />
          {state.error && general !== null && (
            <Alert severity="error" data-testid="create-user-error" data-error-code={state.error.code}>
              {general} <code>({state.error.code})</code>
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="create-user-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy} data-testid="create-user-submit">
          Create
        </Button>
      </DialogActions>
    </form>
  );
}
