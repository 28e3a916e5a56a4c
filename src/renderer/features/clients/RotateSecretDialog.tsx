import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OVERLAP_CHOICES } from './client-actions';

interface Props {
  clientId: string | null;
  onClose: () => void;
  /** The new secret (to show once) and until when the old one is still accepted (null: not at all). */
  onRotated: (result: { clientSecret: string; previousValidUntil: number | null }) => void;
}

/** Rotate a confidential client's secret with a chosen overlap, during which both secrets are accepted. */
export function RotateSecretDialog({ clientId, onClose, onRotated }: Props) {
  return (
    <Dialog open={clientId !== null} onClose={onClose} maxWidth="sm" fullWidth data-testid="rotate-secret-dialog" aria-labelledby="rotate-secret-title">
      {clientId !== null && <RotateSecretForm clientId={clientId} onClose={onClose} onRotated={onRotated} />}
    </Dialog>
  );
}

function RotateSecretForm({ clientId, onClose, onRotated }: Props & { clientId: string }) {
  const [overlap, setOverlap] = useState(3600);
  const [rotate, state] = useAction(api.rotateClientSecret);
  const submit = async () => {
    const result = await rotate({ clientId, overlapSeconds: overlap });
    if (result) onRotated(result);
  };
  return (
    <>
      <DialogTitle id="rotate-secret-title">Rotate the secret of {clientId}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Alert severity="info">
            A new secret is made and shown once. During the overlap the current secret keeps working too, so the app can be
            redeployed with the new one without an outage; after it, only the new one works. Rotating again ends an overlap
            still running.
          </Alert>
          <TextField
            select
            label="Overlap: the current secret keeps working for"
            value={overlap}
            onChange={(event) => setOverlap(Number(event.target.value))}
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'rotate-secret-overlap' } as Record<string, string> } }}
          >
            {OVERLAP_CHOICES.map((choice) => (
              <MenuItem key={choice.seconds} value={choice.seconds} data-testid={`rotate-secret-overlap-${choice.seconds}`}>
                {choice.label}
              </MenuItem>
            ))}
          </TextField>
          <ErrorAlert error={state.error} title="Could not rotate the secret" testId="rotate-secret-error" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="rotate-secret-cancel">
          Cancel
        </Button>
        <Button variant="contained" color="warning" onClick={() => void submit()} disabled={state.busy} data-testid="rotate-secret-submit">
          Rotate secret
        </Button>
      </DialogActions>
    </>
  );
}
