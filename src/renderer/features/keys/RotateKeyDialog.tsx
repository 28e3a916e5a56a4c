import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type HTMLAttributes } from 'react';
import type { KeyInfo, SigningAlg } from '../../../shared/dto';
import { signingAlgSchema } from '../../../shared/dto';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Mono } from '../../components/Mono';

interface Props {
  open: boolean;
  /** The algorithm new keys use by default (from settings). */
  defaultAlg: SigningAlg;
  onClose: () => void;
  onRotated: (key: KeyInfo) => void;
}

/** Rotation: a new key signs from now on; the old one keeps verifying until it retires. */
export function RotateKeyDialog({ open, defaultAlg, onClose, onRotated }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="rotate-key-dialog">
      {open && <RotateKeyForm defaultAlg={defaultAlg} onClose={onClose} onRotated={onRotated} />}
    </Dialog>
  );
}

function RotateKeyForm({ defaultAlg, onClose, onRotated }: Omit<Props, 'open'>) {
  const [alg, setAlg] = useState<SigningAlg>(defaultAlg);
  const [reason, setReason] = useState('');
  const [created, setCreated] = useState<KeyInfo | null>(null);
  const [rotate, state] = useAction(api.rotateSigningKey);

  const submit = async () => {
    const key = await rotate({ alg, reason: reason.trim() === '' ? undefined : reason.trim() });
    if (key) {
      setCreated(key);
      onRotated(key);
    }
  };

  return (
    <>
      <DialogTitle>Rotate signing key</DialogTitle>
      <DialogContent>
        {created ? (
          <Alert severity="success" data-testid="rotate-key-result" data-kid={created.kid}>
            New key <Mono>{created.kid}</Mono> ({created.alg}) now signs every new token. The previous key is retiring:
            it keeps verifying the tokens it signed until they expire.
          </Alert>
        ) : (
          <Stack spacing={2} sx={{ pt: 1 }}>
            <Alert severity="info">
              Tokens already issued stay valid: the old key keeps verifying them until it retires. Check its live-token
              count here before it does.
            </Alert>
            <TextField
              select
              label="Algorithm"
              value={alg}
              onChange={(event) => setAlg(signingAlgSchema.parse(event.target.value))}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'rotate-key-alg' } as HTMLAttributes<HTMLDivElement> } }}
            >
              {signingAlgSchema.options.map((option) => (
                <MenuItem key={option} value={option} data-testid={`rotate-key-alg-${option}`}>
                  {option === 'EdDSA' ? 'EdDSA (Ed25519)' : 'ES256 (P-256)'}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label="Reason (optional)"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              slotProps={{ htmlInput: { 'data-testid': 'rotate-key-reason', maxLength: 500 } }}
            />
            <ErrorAlert error={state.error} title="Rotation failed" testId="rotate-key-error" />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {created ? (
          <Button variant="contained" onClick={onClose} data-testid="rotate-key-close" autoFocus>
            Close
          </Button>
        ) : (
          <>
            <Button onClick={onClose} data-testid="rotate-key-cancel">
              Cancel
            </Button>
            <Button variant="contained" onClick={() => void submit()} disabled={state.busy} data-testid="rotate-key-submit">
              Rotate
            </Button>
          </>
        )}
      </DialogActions>
    </>
  );
}
