import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { refreshAuth, signOut, type SignedIn } from '../../api';
import { TotpEnrollment } from '../admins/TotpEnrollment';

/**
 * The owners require two-step sign-in and this admin has none yet: the service allows only enrollment
 * (and a password change) until it is done, so the console shows just that.
 */
export function EnrollmentRequiredPage({ session }: { session: SignedIn }) {
  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Paper variant="outlined" sx={{ p: 4, width: '100%', maxWidth: 640 }} data-testid="totp-enrollment-required">
        <Typography variant="h5" component="h1" gutterBottom>
          Set up two-step sign-in
        </Typography>
        <Alert severity="info" sx={{ mb: 2 }}>
          The owners of this install require a second factor for every admin. Hello {session.admin?.username}: set yours up to continue.
        </Alert>
        <TotpEnrollment onEnrolled={() => void refreshAuth()} />
        <Button sx={{ mt: 3 }} onClick={() => void signOut(false)} data-testid="totp-enrollment-signout">
          Sign out
        </Button>
      </Paper>
    </Box>
  );
}
