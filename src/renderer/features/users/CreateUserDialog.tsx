import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { api, useAction, type ApiError } from '../../api';

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: (user: { id: string; username: string }) => void;
}

/** Which field a server validation message is about (the server words its messages by field name). */
function fieldOf(error: ApiError | undefined): 'username' | 'password' | null {
  if (!error) return null;
  const text = error.message.toLowerCase();
  if (text.includes('password')) return 'password';
  if (text.includes('username') || error.code === 'conflict') return 'username';
  return null;
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
  const errorField = fieldOf(state.error);

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
            error={errorField === 'username'}
            helperText={<span data-testid="create-user-username-help">{errorField === 'username' ? state.error?.message : 'Letters, digits and . _ - @'}</span>}
            slotProps={{ htmlInput: { 'data-testid': 'create-user-username' } }}
          />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
            autoComplete="new-password"
            error={errorField === 'password'}
            helperText={<span data-testid="create-user-password-help">{errorField === 'password' ? state.error?.message : 'At least 8 characters'}</span>}
            slotProps={{ htmlInput: { 'data-testid': 'create-user-password' } }}
          />
          {state.error && errorField === null && (
            <Alert severity="error" data-testid="create-user-error">
              {state.error.message} <code>({state.error.code})</code>
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
