import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import QRCode from 'qrcode';
import { useEffect, useState, type FormEvent } from 'react';
import { api, useAction } from '../../api';
import { CopyableId } from '../../components/CopyableId';
import { MONO_STACK } from '../../theme';

/**
 * Two-step sign-in for one's own account: the service makes a secret (`beginAdminTotp`), the app scans the
 * QR code (or the secret is typed in), and a first code proves it works (`confirmAdminTotp`); only then is
 * the second factor required at sign-in.
 */
export function TotpEnrollment({ onEnrolled }: { onEnrolled: () => void }) {
  const [begin, beginState] = useAction(api.beginAdminTotp);
  const [confirm, confirmState] = useAction(api.confirmAdminTotp);
  const [enrollment, setEnrollment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');

  useEffect(() => {
    if (!enrollment) return undefined;
    let live = true;
    // A data: URL (the console's CSP allows data: images); the secret is never sent anywhere to draw it.
    QRCode.toDataURL(enrollment.otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 200 })
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [enrollment]);

  const start = async () => {
    setCode('');
    confirmState.reset();
    const next = await begin({});
    if (next) setEnrollment(next);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await confirm({ code: code.trim() })) {
      setEnrollment(null);
      onEnrolled();
    }
  };

  if (!enrollment) {
    return (
      <Stack spacing={1} sx={{ alignItems: 'flex-start' }}>
        <Button variant="outlined" onClick={() => void start()} disabled={beginState.busy} data-testid="totp-begin">
          Set up two-step sign-in
        </Button>
        {beginState.error && (
          <Alert severity="error" data-testid="totp-begin-error" data-error-code={beginState.error.code}>
            {beginState.error.message} <code>({beginState.error.code})</code>
          </Alert>
        )}
      </Stack>
    );
  }

  return (
    <Stack spacing={2} data-testid="totp-enrollment">
      <Typography variant="body2">
        Scan this code with an authenticator app (Google Authenticator, 1Password, Aegis…), or type the secret in. Then enter the 6-digit code it shows.
      </Typography>
      <Stack direction="row" spacing={3} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Box sx={{ width: 200, height: 200, bgcolor: '#fff', borderRadius: 1, display: 'grid', placeItems: 'center' }}>
          {qr ? <img src={qr} width={200} height={200} alt="QR code of the two-step sign-in secret, for an authenticator app" data-testid="totp-qr" /> : null}
        </Box>
        <Stack spacing={1} sx={{ minWidth: 0 }}>
          <Typography variant="body2">Secret (base32):</Typography>
          <CopyableId value={enrollment.secret} label="two-step secret" testId="totp-secret" wrap />
          <Box component="details" sx={{ fontSize: '0.85em' }}>
            <summary>otpauth:// link</summary>
            <Box sx={{ fontFamily: MONO_STACK, overflowWrap: 'anywhere', mt: 0.5 }} data-testid="totp-uri">
              {enrollment.otpauthUri}
            </Box>
          </Box>
        </Stack>
      </Stack>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'flex-start', flexWrap: 'wrap' }}>
          <TextField
            label="Code from the app"
            size="small"
            value={code}
            onChange={(event) => setCode(event.target.value.replace(/\s+/g, ''))}
            autoComplete="one-time-code"
            error={confirmState.error !== undefined}
            helperText={confirmState.error ? `${confirmState.error.message} (${confirmState.error.code})` : 'Six digits'}
            slotProps={{ htmlInput: { inputMode: 'numeric', maxLength: 6, 'data-testid': 'totp-code' }, formHelperText: { 'data-testid': 'totp-code-help' } as object }}
          />
          <Button type="submit" variant="contained" disabled={confirmState.busy || !/^\d{6}$/.test(code)} data-testid="totp-confirm">
            Turn on
          </Button>
          <Button onClick={() => setEnrollment(null)} data-testid="totp-cancel">
            Cancel
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
