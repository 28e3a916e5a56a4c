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
import { CopyableId } from '../../components/CopyableId';
import { AbsoluteTime } from '../../components/TimeText';
import { RelativeTime } from '../../components/TimeText';
import { ALG_LABELS, CACHED_JWKS_COST, describeUses, groupKeys, nextKeyOf, rotationKind } from './key-states';

interface Props {
  open: boolean;
  /** The algorithm preselected: the access-token algorithm, or the group whose Rotate was pressed. */
  defaultAlg: SigningAlg;
  /** The `signingAlg` setting: the algorithm that signs access tokens. */
  accessAlg: SigningAlg;
  keys: KeyInfo[];
  onClose: () => void;
  onRotated: (key: KeyInfo) => void;
}

/** Rotation of one algorithm's pair: a routine one promotes its published next key; an algorithm without keys brings keys nobody has seen. */
export function RotateKeyDialog({ open, onClose, ...rest }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="rotate-key-dialog">
      {open && <RotateKeyForm onClose={onClose} {...rest} />}
    </Dialog>
  );
}

/** What this rotation costs a verifier that caches the JWKS, said before it happens. */
function RotationCost({ alg, accessAlg, keys }: { alg: SigningAlg; accessAlg: SigningAlg; keys: KeyInfo[] }) {
  const kind = rotationKind(alg, keys);
  const group = groupKeys(keys, accessAlg).find((g) => g.alg === alg);
  const nextKey = nextKeyOf(keys, alg);
  if (kind === 'routine' && nextKey) {
    return (
      <Alert severity="success" data-testid="rotate-key-cost" data-kind="routine">
        Gap-free: the next {alg} key <CopyableId value={nextKey.kid} label="key id" /> has been published since{' '}
        <AbsoluteTime at={nextKey.createdAt} /> (
        <RelativeTime at={nextKey.createdAt} />
        ). It {group && group.uses.length > 0 ? describeUses(group.uses) : 'signs'} from now on; verifiers that fetched the
        JWKS since then accept its tokens at once. A new next key is published in its place.
      </Alert>
    );
  }
  if (kind === 'unpublished') {
    return (
      <Alert severity="warning" data-testid="rotate-key-cost" data-kind="unpublished">
        No next {alg} key is published: a new {alg} key signs at once. {CACHED_JWKS_COST}
      </Alert>
    );
  }
  const old = groupKeys(keys, accessAlg).find((g) => g.access);
  const oldStays = old?.uses.includes('id_tokens') ?? false;
  return (
    <Alert severity="warning" data-testid="rotate-key-cost" data-kind="algorithm_change">
      Algorithm change: {alg} has no keys yet, so a new {alg} pair is created and signs access tokens and feed events at
      once. {CACHED_JWKS_COST} The {accessAlg} key{' '}
      {oldStays ? 'goes on signing ID tokens' : 'retires (it keeps verifying its tokens until they expire) and its unused next key is discarded'};{' '}
      {alg} becomes the access-token algorithm, and later rotations are gap-free again.
    </Alert>
  );
}

/** The menu's word on each algorithm: what its pair signs now, or that rotating to it changes the access-token algorithm. */
function algRole(alg: SigningAlg, accessAlg: SigningAlg, keys: KeyInfo[]): string {
  const group = groupKeys(keys, accessAlg).find((g) => g.alg === alg);
  if (!group || (group.uses.length === 0 && !group.next)) return 'no keys: access tokens switch to it';
  return group.uses.length > 0 ? group.uses.map((use) => (use === 'access_tokens' ? 'access tokens' : 'ID tokens')).join(' and ') : 'published';
}

function RotateKeyForm({ defaultAlg, accessAlg, keys, onClose, onRotated }: Omit<Props, 'open'>) {
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
            Key <CopyableId value={created.kid} label="key id" /> ({created.alg}) now {describeUses(created.signs)}. The previous key is retiring:
            it keeps verifying the tokens it signed until they expire. A new next key is published in the JWKS for the
            rotation after this one.
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
                  {ALG_LABELS[option]} — {algRole(option, accessAlg, keys)}
                </MenuItem>
              ))}
            </TextField>
            <RotationCost alg={alg} accessAlg={accessAlg} keys={keys} />
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
