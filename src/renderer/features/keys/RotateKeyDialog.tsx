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
import { RelativeTime } from '../../components/TimeText';
import { formatAbsolute } from '../../lib/time';
import { ALG_LABELS, CACHED_JWKS_COST, isRoutineRotation } from './key-states';

interface Props {
  open: boolean;
  /** The algorithm new keys use by default (from settings). */
  defaultAlg: SigningAlg;
  /** The key published ahead to sign next, if any. */
  nextKey: KeyInfo | undefined;
  onClose: () => void;
  onRotated: (key: KeyInfo) => void;
}

/** Rotation: a routine one promotes the published next key; another algorithm brings a key nobody has seen. */
export function RotateKeyDialog({ open, defaultAlg, nextKey, onClose, onRotated }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="rotate-key-dialog">
      {open && <RotateKeyForm defaultAlg={defaultAlg} nextKey={nextKey} onClose={onClose} onRotated={onRotated} />}
    </Dialog>
  );
}

/** What this rotation costs a verifier that caches the JWKS, said before it happens. */
function RotationCost({ alg, nextKey }: { alg: SigningAlg; nextKey: KeyInfo | undefined }) {
  if (nextKey && isRoutineRotation(alg, nextKey)) {
    return (
      <Alert severity="success" data-testid="rotate-key-cost" data-kind="routine">
        Gap-free: the next key <Mono>{nextKey.kid}</Mono> has been published since{' '}
        <span title={formatAbsolute(nextKey.createdAt)}>{new Date(nextKey.createdAt).toLocaleString()}</span> (
        <RelativeTime at={nextKey.createdAt} />
        ). It signs from now on; verifiers that fetched the JWKS since then accept its tokens at once. A new next key is
        published in its place.
      </Alert>
    );
  }
  return (
    <Alert severity="warning" data-testid="rotate-key-cost" data-kind="algorithm_change">
      Algorithm change{nextKey ? ` (the published next key is ${nextKey.alg})` : ''}: a new {alg} key signs at once. {CACHED_JWKS_COST}{' '}
      {nextKey ? 'The unused next key is discarded (it never signed anything) and ' : 'A '}
      next key of the new algorithm is published, so later rotations are gap-free again; {alg} becomes the setting for new keys.
    </Alert>
  );
}

function RotateKeyForm({ defaultAlg, nextKey, onClose, onRotated }: Omit<Props, 'open'>) {
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
            Key <Mono>{created.kid}</Mono> ({created.alg}) now signs every new token. The previous key is retiring: it keeps
            verifying the tokens it signed until they expire. A new next key is published in the JWKS for the rotation
            after this one.
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
                  {ALG_LABELS[option]}
                </MenuItem>
              ))}
            </TextField>
            <RotationCost alg={alg} nextKey={nextKey} />
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
