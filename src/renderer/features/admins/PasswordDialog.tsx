import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { AdminInfo } from '../../../shared/admin-accounts';
import { api, useAction } from '../../api';
import { fieldErrors } from '../../components/field-errors';

/** An owner sets another admin's password (their sessions and API keys end: the service's rule). */
export function ResetPasswordDialog({ admin, onClose }: { admin: AdminInfo | null; onClose: () => void }) {
  return (
    <Dialog open={admin !== null} onClose={onClose} maxWidth="xs" fullWidth data-testid="reset-admin-password-dialog" aria-labelledby="reset-admin-password-title">
      {admin && <ResetForm admin={admin} onClose={onClose} />}
    </Dialog>
  );
}

function ResetForm({ admin, onClose }: { admin: AdminInfo; onClose: () => void }) {
  const [password, setPassword] = useState('');
  const [reset, state] = useAction(api.resetAdminPassword);
  const errors = fieldErrors(state.error, ['password'] as const);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await reset({ adminId: admin.id, password })) onClose();
  };
  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="reset-admin-password-title">Reset the password of {admin.username}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Their console sessions and API keys end at once; they sign in again with the new password.
        </DialogContentText>
        <TextField
          label="New password"
          type="password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          autoFocus
          required
          fullWidth
          autoComplete="new-password"
          error={errors.fields.password !== undefined}
          helperText={errors.fields.password ?? 'At least 8 characters'}
          slotProps={{ htmlInput: { 'data-testid': 'reset-admin-password' } }}
        />
        {state.error && errors.general !== null && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="reset-admin-password-error" data-error-code={state.error.code}>
            {errors.general} <code>({state.error.code})</code>
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="contained" disabled={state.busy} data-testid="reset-admin-password-submit">
          Set password
        </Button>
      </DialogActions>
    </form>
  );
}
