import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useId } from 'react';
import type { ApiError } from '../../api';

interface Props {
  open: boolean;
  title: string;
  /** What happens, in plain words (whose sessions and keys end). */
  text: string;
  confirmLabel: string;
  busy: boolean;
  error: ApiError | undefined;
  onConfirm: () => void;
  onClose: () => void;
}

/** A yes/no step before an admin-account change that ends sessions (the service's error shows inline). */
export function ConfirmDialog({ open, title, text, confirmLabel, busy, error, onConfirm, onClose }: Props) {
  const titleId = useId();
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth aria-labelledby={titleId} data-testid="admin-confirm-dialog">
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText>{text}</DialogContentText>
        {error && (
          <Alert severity="error" sx={{ mt: 2 }} data-testid="admin-confirm-error" data-error-code={error.code}>
            {error.message} <code>({error.code})</code>
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="admin-confirm-cancel">
          Cancel
        </Button>
        <Button variant="contained" color="error" onClick={onConfirm} disabled={busy} data-testid="admin-confirm-submit">
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
