import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import type { KeyInfo, SigningAlg } from '../../../shared/dto';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CopyableId } from '../../components/CopyableId';
import { AbsoluteTime } from '../../components/TimeText';
import { ALG_LABELS } from './key-states';

interface Props {
  /** The algorithm access tokens would switch to: one whose pair already signs ID tokens. */
  target: { alg: SigningAlg; active: KeyInfo } | null;
  accessAlg: SigningAlg;
  onClose: () => void;
  onSwitched: () => void;
}

/**
 * Access tokens (and feed events) switch to an algorithm that already has a pair: its active key, published
 * since it was created, signs them from now on (gap-free). The same as changing the signingAlg setting.
 */
export function SwitchAccessAlgDialog({ target, accessAlg, onClose, onSwitched }: Props) {
  const [save, state] = useAction(api.updateSettings);
  const submit = async () => {
    if (!target) return;
    if (await save({ signingAlg: target.alg })) {
      onSwitched();
      onClose();
    }
  };
  return (
    <Dialog open={target !== null} onClose={onClose} maxWidth="sm" fullWidth data-testid="switch-access-alg-dialog">
      {target && (
        <>
          <DialogTitle>Sign access tokens with {target.alg}</DialogTitle>
          <DialogContent>
            <Stack spacing={2} sx={{ pt: 1 }}>
              <Alert severity="success" data-testid="switch-access-alg-cost">
                Gap-free: the {ALG_LABELS[target.alg]} key <CopyableId value={target.active.kid} label="key id" /> has been in the JWKS since{' '}
                <AbsoluteTime at={target.active.createdAt} />, so
                verifiers that fetched it since accept its access tokens at once. It goes on signing ID tokens too.
              </Alert>
              <Alert severity="info">
                The {accessAlg} key stops signing access tokens: it retires (verifying its tokens until they expire) unless
                clients&apos; ID tokens use {accessAlg}. {target.alg} becomes the signingAlg setting.
              </Alert>
              <ErrorAlert error={state.error} title="Switch failed" testId="switch-access-alg-error" />
            </Stack>
          </DialogContent>
          <DialogActions>
            <Button onClick={onClose} data-testid="switch-access-alg-cancel">
              Cancel
            </Button>
            <Button variant="contained" onClick={() => void submit()} disabled={state.busy} data-testid="switch-access-alg-submit">
              Switch
            </Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}
