import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { Receipt } from '../../../shared/dto';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { fieldErrors } from '../../components/field-errors';
import { ReceiptView } from '../actions/ReceiptView';

interface Props {
  open: boolean;
  userId: string;
  username: string;
  onClose: () => void;
}

/**
 * Set or reset a password. Signing the user out everywhere is on by default: whoever knew the old password (the
 * reason for most resets) should not keep a session it opened.
 */
export function SetPasswordDialog({ open, onClose, ...user }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="set-password-dialog" aria-labelledby="set-password-title">
      {open && <SetPasswordForm {...user} onClose={onClose} />}
    </Dialog>
  );
}

function SetPasswordForm({ userId, username, onClose }: Omit<Props, 'open'>) {
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [revokeSessions, setRevokeSessions] = useState(true);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [run, state] = useAction(api.setUserPassword);
  const errors = fieldErrors(state.error, ['password'] as const);
  const mismatch = repeat !== '' && repeat !== password;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    const result = await run({ userId, password, revokeSessions });
    if (result) setReceipt(result);
  };

  if (receipt) {
    return (
      <>
        <DialogTitle id="set-password-title">Password set for {username}</DialogTitle>
        <DialogContent>
          <Alert severity="success" data-testid="set-password-done" sx={{ mb: 2 }}>
            The new password works from now on; failed logins and any lock were cleared.
          </Alert>
          {revokeSessions && <ReceiptView receipt={receipt} />}
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={onClose} data-testid="set-password-close" autoFocus>
            Close
          </Button>
        </DialogActions>
      </>
    );
  }
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="set-password-title">Set password for {username}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="New password"
            type="password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            autoFocus
            required
            autoComplete="new-password"
            error={errors.fields.password !== undefined}
            helperText={errors.fields.password ?? 'At least 8 characters'}
            slotProps={{ htmlInput: { 'data-testid': 'set-password-input' } }}
          />
          <TextField
            label="Repeat the new password"
            type="password"
            value={repeat}
            onChange={(event) => setRepeat(event.target.value)}
            required
            autoComplete="new-password"
            error={mismatch}
            helperText={mismatch ? 'The two passwords differ.' : ' '}
            slotProps={{ htmlInput: { 'data-testid': 'set-password-repeat' } }}
          />
          <FormControlLabel
            control={<Checkbox checked={revokeSessions} onChange={(event) => setRevokeSessions(event.target.checked)} slotProps={{ input: { 'data-testid': 'set-password-revoke' } as object }} />}
            label="Sign the user out everywhere (every session ends, as with force logout)"
          />
          {errors.general !== null && <ErrorAlert error={state.error} title="The password was not set" testId="set-password-error" />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="set-password-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy || password === '' || repeat !== password} data-testid="set-password-submit">
          {state.busy ? 'Setting…' : 'Set password'}
        </Button>
      </DialogActions>
    </form>
  );
}
