import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { AuthState } from '../../api';
import { MONO_STACK } from '../../theme';

/** Shown in a browser without a login code or token: how to get in. */
export function LoginRequired({ state }: { state: Extract<AuthState, { status: 'login_required' }> }) {
  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Paper data-testid="login-required" sx={{ p: 4, maxWidth: 560 }} variant="outlined">
        <Typography variant="h5" component="h1" gutterBottom>
          Token Warden console
        </Typography>
        {state.reason !== 'no_code' && (
          <Alert severity="warning" sx={{ mb: 2 }} data-testid="login-required-reason">
            {state.message}
          </Alert>
        )}
        <Typography variant="body1" gutterBottom>
          To open the console, use the URL printed by <Box component="code" sx={{ fontFamily: MONO_STACK }}>npm start</Box>{' '}
          in your terminal. It carries a one-time login code, so it works once per start.
        </Typography>
        <Typography variant="body2" sx={{ color: 'text.secondary' }}>
          Lost it? Stop the service and run <Box component="code" sx={{ fontFamily: MONO_STACK }}>npm start</Box> again for a
          fresh link.
        </Typography>
      </Paper>
    </Box>
  );
}
