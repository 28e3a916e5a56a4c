import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import type { Receipt } from '../../../shared/dto';
import { api, useAction, useAdminQuery } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { Loading } from '../../components/Loading';
import { href, navigate } from '../../lib/router';
import { BlastRadiusView } from '../actions/BlastRadiusView';
import { ReceiptView } from '../actions/ReceiptView';

interface Props {
  open: boolean;
  userId: string;
  username: string;
  onClose: () => void;
}

/** Delete a user: what dies first (the blast radius of signing them out), then the username typed to confirm. */
export function DeleteUserDialog({ open, onClose, ...user }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="delete-user-dialog" aria-labelledby="delete-user-title">
      {open && <DeleteUserContent {...user} onClose={onClose} />}
    </Dialog>
  );
}

function DeleteUserContent({ userId, username, onClose }: Omit<Props, 'open'>) {
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const preview = useAdminQuery('previewBlastRadius', { target: { kind: 'user', userId } }, { enabled: receipt === null, refreshOn: () => true, throttleMs: 500, keepPrevious: true });
  const [run, state] = useAction(api.deleteUser);

  const submit = async () => {
    const result = await run({ userId, confirm: typed, reason: reason.trim() === '' ? undefined : reason.trim() });
    if (result) setReceipt(result);
  };

  if (receipt) {
    return (
      <>
        <DialogTitle id="delete-user-title">{username} was deleted</DialogTitle>
        <DialogContent>
          <ReceiptView receipt={receipt} />
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={() => navigate(href.users())} data-testid="delete-user-done" autoFocus>
            Back to users
          </Button>
        </DialogActions>
      </>
    );
  }
  return (
    <>
      <DialogTitle id="delete-user-title">Delete {username}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Alert severity="error" data-testid="delete-user-description">
            Every session of this user is revoked first (published on the feed, so resource servers refuse their access
            tokens), then the user, their sessions and tokens are removed. The audit log keeps every entry about them.
            This cannot be undone; the username becomes free for a new account.
          </Alert>
          {preview.loading && !preview.data && <Loading label="Computing the blast radius" testId="blast-radius-loading" />}
          <ErrorAlert error={preview.error} title="Could not preview the blast radius" testId="blast-radius-error" />
          {preview.data && <BlastRadiusView radius={preview.data} kind="user" />}
          <TextField
            label={`Type ${username} to confirm`}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            fullWidth
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'delete-user-confirm', spellCheck: false } }}
          />
          <TextField
            label="Reason (optional, kept in the audit log)"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            fullWidth
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'delete-user-reason', maxLength: 500 } }}
          />
          <ErrorAlert error={state.error} title="The user was not deleted" testId="delete-user-error" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="delete-user-cancel">
          Cancel
        </Button>
        <Button color="error" variant="contained" onClick={() => void submit()} disabled={state.busy || typed !== username} data-testid="delete-user-submit">
          {state.busy ? 'Deleting…' : 'Delete user'}
        </Button>
      </DialogActions>
    </>
  );
}
