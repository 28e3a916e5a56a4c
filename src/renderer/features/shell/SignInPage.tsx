import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { signIn, type AuthState } from '../../api';
import { MONO_STACK } from '../../theme';

type SignedOut = Extract<AuthState, { status: 'login_required' }>;

/** What a refused sign-in means: the service's own words (the code stays beside it for reference). */
function refusal(error: ErrorInfo): string {
  if (error.code === 'login_throttled') return error.message || 'Too many attempts: wait a moment and try again.';
  return error.message || 'The sign-in was refused.';
}

/**
 * The browser console's sign-in: username and password, then (when the account has a second factor) the
 * six-digit code from the authenticator app. The service sets an HttpOnly cookie; every tab shares it.
 */
export function SignInPage({ state }: { state: SignedOut }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [step, setStep] = useState<'password' | 'totp'>('password');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await signIn({ username: username.trim(), password, ...(step === 'totp' ? { totp: totp.trim() } : {}) });
    setBusy(false);
    if (result.ok) return;
    // The account has a second factor: the service set no cookie and waits for the code.
    if ((result.error.code as string) === 'totp_required') {
      setStep('totp');
      return;
    }
    setError(result.error);
  };

  const back = () => {
    setStep('password');
    setTotp('');
    setError(null);
  };

  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Paper data-testid="signin-page" data-reason={state.reason} sx={{ p: 4, width: '100%', maxWidth: 440 }} variant="outlined">
        <Typography variant="h5" component="h1" gutterBottom>
          Sign in to Token Warden
        </Typography>
        {state.reason !== 'no_session' && (
          <Alert severity={state.reason === 'signed_out' ? 'info' : 'warning'} sx={{ mb: 2 }} data-testid="signin-reason">
            {state.message}
          </Alert>
        )}
        <form onSubmit={(event) => void submit(event)} noValidate aria-label="Sign in">
          <Stack spacing={2}>
            {step === 'password' ? (
              <>
                <TextField
                  label="Username"
                  value={username}
                  onChange={(event) => setUsername(event.target.value)}
                  autoFocus
                  required
                  autoComplete="username"
                  slotProps={{ htmlInput: { 'data-testid': 'signin-username' } }}
                />
                <TextField
                  label="Password"
                  type="password"
                  value={password}
                  onChange={(event) => setPassword(event.target.value)}
                  required
                  autoComplete="current-password"
                  slotProps={{ htmlInput: { 'data-testid': 'signin-password' } }}
                />
              </>
            ) : (
              <>
                <Typography variant="body2" data-testid="signin-totp-step">
                  <strong>{username.trim()}</strong> has two-step sign-in: enter the 6-digit code your authenticator app shows.
                </Typography>
                <TextField
                  label="Authentication code"
                  value={totp}
                  onChange={(event) => setTotp(event.target.value.replace(/\s+/g, ''))}
                  autoFocus
                  required
                  autoComplete="one-time-code"
                  slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: 8, 'data-testid': 'signin-totp', style: { fontFamily: MONO_STACK, letterSpacing: '0.2em' } } }}
                />
              </>
            )}
            {error && (
              <Alert severity="error" data-testid="signin-error" data-error-code={error.code}>
                {refusal(error)} <code>({error.code})</code>
              </Alert>
            )}
            <Stack direction="row" spacing={1} sx={{ justifyContent: 'flex-end' }}>
              {step === 'totp' && (
                <Button onClick={back} data-testid="signin-back">
                  Back
                </Button>
              )}
              <Button type="submit" variant="contained" disabled={busy || username.trim() === '' || password === ''} data-testid="signin-submit">
                {step === 'totp' ? 'Verify' : 'Sign in'}
              </Button>
            </Stack>
          </Stack>
        </form>
        <Typography variant="body2" sx={{ color: 'text.secondary', mt: 3 }}>
          First start, no admin accounts yet? Open the one-time URL printed by{' '}
          <Box component="code" sx={{ fontFamily: MONO_STACK }}>
            npm start
          </Box>{' '}
          (it signs you in as the install's owner, once per start), then create admins on the Admins page.
        </Typography>
      </Paper>
    </Box>
  );
}
