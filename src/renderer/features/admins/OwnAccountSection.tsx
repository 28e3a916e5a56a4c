import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import { api, refreshAuth, useAction, type SignedIn } from '../../api';
import { fieldErrors } from '../../components/field-errors';
import { TotpEnrollment } from './TotpEnrollment';

type NamedSession = SignedIn & { admin: NonNullable<SignedIn['admin']> };

/** The signed-in admin's own password and two-step sign-in (any role may change their own). */
export function OwnAccountSection({ session }: { session: NamedSession }) {
  const [removeTotp, removeState] = useAction(api.removeAdminTotp);
  const [note, setNote] = useState<string | null>(null);

  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 3 }} component="section" aria-labelledby="own-account-title" data-testid="own-account">
      <Typography variant="h6" component="h2" id="own-account-title" gutterBottom>
        Your account: {session.admin.username} <Typography component="span" sx={{ color: 'text.secondary' }}>({session.role})</Typography>
      </Typography>
      {note && (
        <Alert severity="success" sx={{ mb: 2 }} onClose={() => setNote(null)} data-testid="own-account-note">
          {note}
        </Alert>
      )}
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={4} useFlexGap>
        <ChangePassword onChanged={() => setNote('Password changed. Your other console sessions have ended.')} />
        <Stack spacing={1} sx={{ flex: 1, minWidth: 0 }}>
          <Typography variant="subtitle2" component="h3">
            Two-step sign-in
          </Typography>
          {session.admin.totpEnabled ? (
            <>
              <Typography variant="body2" data-testid="own-totp-state" data-enabled="true">
                On: sign-in asks for a code from your authenticator app.
              </Typography>
              <Button
                variant="outlined"
                color="error"
                sx={{ alignSelf: 'flex-start' }}
                disabled={removeState.busy}
                onClick={() => void removeTotp({ adminId: session.admin.id }).then(async (done) => done && (await refreshAuth()))}
                data-testid="own-totp-remove"
              >
                Turn off
              </Button>
              {removeState.error && (
                <Alert severity="error" data-error-code={removeState.error.code}>
                  {removeState.error.message} <code>({removeState.error.code})</code>
                </Alert>
              )}
            </>
          ) : (
            <>
              <Typography variant="body2" data-testid="own-totp-state" data-enabled="false">
                Off: your password alone signs you in.
              </Typography>
              <TotpEnrollment
                onEnrolled={() => {
                  setNote('Two-step sign-in is on.');
                  void refreshAuth();
                }}
              />
            </>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [change, state] = useAction(api.changeAdminPassword);
  const errors = fieldErrors(state.error, ['currentPassword', 'newPassword'] as const);
  const wrongCurrent = state.error?.code === 'invalid_credentials' ? 'This is not your current password.' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await change({ currentPassword: current, newPassword: next })) {
      setCurrent('');
      setNext('');
      onChanged();
    }
  };

  return (
    <Stack component="form" onSubmit={(event: FormEvent) => void submit(event)} noValidate spacing={1.5} sx={{ flex: 1, minWidth: 0, maxWidth: 360 }}>
      <Typography variant="subtitle2" component="h3">
        Change password
      </Typography>
      <TextField
        label="Current password"
        type="password"
        size="small"
        value={current}
        onChange={(event) => setCurrent(event.target.value)}
        autoComplete="current-password"
        error={wrongCurrent !== undefined || errors.fields.currentPassword !== undefined}
        helperText={wrongCurrent ?? errors.fields.currentPassword}
        slotProps={{ htmlInput: { 'data-testid': 'own-password-current' } }}
      />
      <TextField
        label="New password"
        type="password"
        size="small"
        value={next}
        onChange={(event) => setNext(event.target.value)}
        autoComplete="new-password"
        error={errors.fields.newPassword !== undefined}
        helperText={errors.fields.newPassword ?? 'At least 8 characters'}
        slotProps={{ htmlInput: { 'data-testid': 'own-password-new' } }}
      />
      {state.error && !wrongCurrent && errors.general !== null && (
        <Alert severity="error" data-testid="own-password-error" data-error-code={state.error.code}>
          {errors.general} <code>({state.error.code})</code>
        </Alert>
      )}
      <Button type="submit" variant="contained" sx={{ alignSelf: 'flex-start' }} disabled={state.busy || current === '' || next === ''} data-testid="own-password-submit">
        Change password
      </Button>
    </Stack>
  );
}
