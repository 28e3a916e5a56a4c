import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import { useRef, useState } from 'react';
import { AbsoluteTime } from '../../components/TimeText';

interface Props {
  clientId: string;
  secret: string | null;
  /** After a rotation: until when the replaced secret is still accepted (null: no longer). Absent for a new client. */
  previousValidUntil?: number | null;
  onClose: () => void;
}

/** A confidential client's secret, shown exactly once: only its hash is stored. */
export function SecretOnceDialog({ clientId, secret, previousValidUntil, onClose }: Props) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const field = useRef<HTMLInputElement>(null);

  const copy = async () => {
    if (secret === null) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // Clipboard access can be refused; select the text so Ctrl+C works.
      field.current?.select();
      setCopied('failed');
    }
  };

  return (
    <Dialog open={secret !== null} onClose={onClose} maxWidth="sm" fullWidth data-testid="client-secret-dialog">
      <DialogTitle>Secret for {clientId}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Alert severity="warning">
            Copy this secret now. It is shown only once: Token Warden keeps only its hash and cannot show it again.
          </Alert>
          <TextField
            label="Client secret"
            value={secret ?? ''}
            fullWidth
            inputRef={field}
            slotProps={{ htmlInput: { readOnly: true, 'data-testid': 'client-secret', spellCheck: false } }}
            onFocus={(event) => event.target.select()}
          />
          {previousValidUntil === null && (
            <Alert severity="info" data-testid="client-secret-previous">
              The previous secret no longer works.
            </Alert>
          )}
          {previousValidUntil != null && (
            <Alert severity="info" data-testid="client-secret-previous">
              The previous secret keeps working until <AbsoluteTime at={previousValidUntil} />; then only this one does.
            </Alert>
          )}
          {copied === 'yes' && <Alert severity="success" data-testid="client-secret-copied">Copied to the clipboard.</Alert>}
          {copied === 'failed' && <Alert severity="info">The clipboard is not available here: the secret is selected, press Ctrl+C.</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button startIcon={<ContentCopyIcon />} onClick={() => void copy()} data-testid="client-secret-copy">
          Copy
        </Button>
        <Button variant="contained" onClick={onClose} data-testid="client-secret-done">
          I have saved it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
