import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import type { ClientInfo, Receipt } from '../../../shared/dto';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';

interface Props {
  client: ClientInfo | null;
  liveSessions: number;
  onClose: () => void;
  onDeleted: (receipt: Receipt) => void;
}

/** Delete a client behind a typed confirmation (its id), saying what stays and what goes. */
export function DeleteClientDialog({ client, liveSessions, onClose, onDeleted }: Props) {
  return (
    <Dialog open={client !== null} onClose={onClose} maxWidth="sm" fullWidth data-testid="delete-client-dialog" aria-labelledby="delete-client-title">
      {client !== null && <DeleteClientForm client={client} liveSessions={liveSessions} onClose={onClose} onDeleted={onDeleted} />}
    </Dialog>
  );
}

function DeleteClientForm({ client, liveSessions, onClose, onDeleted }: Props & { client: ClientInfo }) {
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [remove, state] = useAction(api.deleteClient);
  const submit = async () => {
    const trimmed = reason.trim();
    const receipt = await remove({ clientId: client.clientId, confirm: typed, reason: trimmed === '' ? undefined : trimmed });
    if (receipt) onDeleted(receipt);
  };
  return (
    <>
      <DialogTitle id="delete-client-title">Delete {client.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Alert severity="error" data-testid="delete-client-description">
            Its {liveSessions} live session{liveSessions === 1 ? '' : 's'} end first, published on the revocation feed. Then the
            client is gone: it can no longer sign in, authenticate or be edited. The audit log keeps every entry about it, its
            ended sessions stay on record, and its id is never given to another client.
          </Alert>
          <TextField
            label={`Type ${client.clientId} to confirm`}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoFocus
            slotProps={{ htmlInput: { 'data-testid': 'delete-client-confirm', spellCheck: false, autoComplete: 'off' } }}
          />
          <TextField
            label="Reason (optional, kept in the audit log)"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            size="small"
            slotProps={{ htmlInput: { 'data-testid': 'delete-client-reason', maxLength: 500 } }}
          />
          <ErrorAlert error={state.error} title="Could not delete the client" testId="delete-client-error" />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="delete-client-cancel">
          Cancel
        </Button>
        <Button variant="contained" color="error" onClick={() => void submit()} disabled={state.busy || typed !== client.clientId} data-testid="delete-client-submit">
          Delete client
        </Button>
      </DialogActions>
    </>
  );
}
