import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type ReactNode } from 'react';
import type { RevocationTarget } from '../../../shared/admin-api';
import type { Receipt } from '../../../shared/dto';
import { useAction, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { BlastRadiusView } from './BlastRadiusView';
import { ReceiptView } from './ReceiptView';

export interface ConfirmActionProps {
  open: boolean;
  title: string;
  /** What the action does, in a sentence or two. */
  description: ReactNode;
  /** What to preview; null for actions that kill nothing (unblock). */
  target: RevocationTarget | null;
  confirmLabel: string;
  run: (reason: string | undefined) => Promise<Receipt>;
  onClose: () => void;
  /** Called with the receipt once the action succeeded. */
  onDone?: (receipt: Receipt) => void;
}

/**
 * The confirmation every destructive action goes through: it previews the blast radius (kept live while
 * open), takes an optional reason, runs the action and then shows its receipt in place.
 */
export function ConfirmActionDialog(props: ConfirmActionProps) {
  return (
    <Dialog open={props.open} onClose={props.onClose} maxWidth="sm" fullWidth data-testid="confirm-dialog" aria-labelledby="confirm-dialog-title">
      {props.open && <ConfirmActionContent {...props} />}
    </Dialog>
  );
}

function ConfirmActionContent({ title, description, target, confirmLabel, run, onClose, onDone }: ConfirmActionProps) {
  const [reason, setReason] = useState('');
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const preview = useAdminQuery('previewBlastRadius', { target: target ?? { kind: 'session', sessionId: '-' } }, {
    enabled: target !== null && receipt === null,
    // Tokens are minted and sessions end while the dialog is open: keep the preview honest.
    refreshOn: () => true,
    throttleMs: 500,
    keepPrevious: true,
  });
  const [execute, action] = useAction(run);

  const confirm = async () => {
    const trimmed = reason.trim();
    const result = await execute(trimmed === '' ? undefined : trimmed);
    if (result) {
      setReceipt(result);
      onDone?.(result);
    }
  };

  return (
    <>
      <DialogTitle id="confirm-dialog-title">{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          {receipt === null ? (
            <>
              <Alert severity="warning" data-testid="confirm-description">
                {description}
              </Alert>
              {target !== null && (
                <>
                  {preview.loading && !preview.data && <Loading label="Computing the blast radius" testId="blast-radius-loading" />}
                  <ErrorAlert error={preview.error} title="Could not preview the blast radius" testId="blast-radius-error" />
                  {preview.data && <BlastRadiusView radius={preview.data} kind={target.kind} />}
                </>
              )}
              <TextField
                label="Reason (optional, kept in the audit log)"
                value={reason}
                onChange={(event) => setReason(event.target.value)}
                slotProps={{ htmlInput: { 'data-testid': 'confirm-reason', maxLength: 500 } }}
                fullWidth
                size="small"
              />
              <ErrorAlert error={action.error} title="The action failed" testId="confirm-error" />
            </>
          ) : (
            <ReceiptView receipt={receipt} />
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        {receipt === null ? (
          <>
            <Button onClick={onClose} data-testid="confirm-cancel">
              Cancel
            </Button>
            <Button
              color="error"
              variant="contained"
              onClick={() => void confirm()}
              disabled={action.busy || (target !== null && preview.loading && !preview.data)}
              data-testid="confirm-submit"
            >
              {action.busy ? 'Working…' : confirmLabel}
            </Button>
          </>
        ) : (
          <Button variant="contained" onClick={onClose} data-testid="confirm-close" autoFocus>
            Close
          </Button>
        )}
      </DialogActions>
    </>
  );
}
