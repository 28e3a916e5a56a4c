import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import { MAX_ACK_NOTE, type ReuseAlert } from '../../../shared/audit';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';

/** Acknowledging a reuse alert takes a note: what was found, what was done (it is kept and audited). */
export function AcknowledgeDialog({ alert, onClose }: { alert: ReuseAlert | null; onClose: () => void }) {
  const [note, setNote] = useState('');
  const [acknowledge, state] = useAction((seq: number, text: string) => api.acknowledgeReuseAlert({ seq, note: text }));
  const close = () => {
    setNote('');
    state.reset();
    onClose();
  };
  const submit = async () => {
    if (!alert) return;
    const done = await acknowledge(alert.entry.seq, note);
    if (done) close();
  };
  const trimmed = note.trim();
  return (
    <Dialog open={alert !== null} onClose={close} aria-labelledby="ack-title" fullWidth maxWidth="sm">
      <DialogTitle id="ack-title">Acknowledge reuse alert {alert ? `#${alert.entry.seq}` : ''}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          The session was already revoked when the reuse was detected. Say what you found and did; your name and the time are recorded with the note.
        </DialogContentText>
        <TextField
          autoFocus
          multiline
          minRows={3}
          fullWidth
          label="Note"
          value={note}
          onChange={(event) => setNote(event.target.value)}
          helperText={trimmed === '' ? 'Required.' : `${trimmed.length} / ${MAX_ACK_NOTE}`}
          error={trimmed.length > MAX_ACK_NOTE}
          slotProps={{ htmlInput: { 'data-testid': 'alert-ack-note', maxLength: MAX_ACK_NOTE + 100 } }}
        />
        <ErrorAlert error={state.error} title="Could not acknowledge" />
      </DialogContent>
      <DialogActions>
        <Button onClick={close}>Cancel</Button>
        <Button variant="contained" onClick={() => void submit()} disabled={trimmed === '' || trimmed.length > MAX_ACK_NOTE || state.busy} data-testid="alert-ack-confirm">
          Acknowledge
        </Button>
      </DialogActions>
    </Dialog>
  );
}
