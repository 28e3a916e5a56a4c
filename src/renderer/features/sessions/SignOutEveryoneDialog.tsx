import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import type { ClientInfo, Receipt } from '../../../shared/dto';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ReceiptView } from '../actions/ReceiptView';

const EVERYONE = 'everyone';

interface Props {
  open: boolean;
  clients: ClientInfo[];
  /** The client the page is filtered on, offered first. */
  initialClientId: string;
  onClose: () => void;
  onDone: (receipt: Receipt) => void;
}

/**
 * "Sign out everyone" (owner): every open session of one client, or of the whole install, revoked with its
 * refresh family. The scope has to be typed out (the client id, or "everyone") before the button works.
 */
export function SignOutEveryoneDialog({ open, clients, initialClientId, onClose, onDone }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth aria-labelledby="sign-out-everyone-title" data-testid="sign-out-everyone-dialog">
      {open && <Content clients={clients} initialClientId={initialClientId} onClose={onClose} onDone={onDone} />}
    </Dialog>
  );
}

function Content({ clients, initialClientId, onClose, onDone }: Omit<Props, 'open'>) {
  const [scope, setScope] = useState(initialClientId || EVERYONE);
  const [typed, setTyped] = useState('');
  const [reason, setReason] = useState('');
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [run, action] = useAction((confirm: string) =>
    api.signOutEveryone({ ...(scope === EVERYONE ? {} : { clientId: scope }), confirm, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
  );
  const whole = scope === EVERYONE;
  const submit = async () => {
    const result = await run(typed);
    if (result) {
      setReceipt(result);
      onDone(result);
    }
  };
  return (
    <>
      <DialogTitle id="sign-out-everyone-title">Sign out everyone</DialogTitle>
      <DialogContent>
        {receipt ? (
          <ReceiptView receipt={receipt} />
        ) : (
          <Stack spacing={2} sx={{ pt: 1 }}>
            <Alert severity="warning" data-testid="sign-out-everyone-description">
              {whole
                ? 'Every open session of every user on every client is revoked, with its refresh family; resource servers drop their access tokens through the feed. '
                : `Every open session on ${scope} is revoked, with its refresh family; resource servers drop their access tokens through the feed. `}
              Nothing else changes: users can sign in again at once.
            </Alert>
            <TextField
              select
              label="Sign out"
              value={scope}
              onChange={(event) => {
                setScope(event.target.value);
                setTyped('');
              }}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'sign-out-everyone-scope' } as Record<string, string> } }}
            >
              <MenuItem value={EVERYONE}>Everyone — the whole install</MenuItem>
              {clients.map((client) => (
                <MenuItem key={client.clientId} value={client.clientId}>
                  Everyone on {client.clientId} ({client.name})
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label={`Type “${whole ? EVERYONE : scope}” to confirm`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              slotProps={{ htmlInput: { 'data-testid': 'sign-out-everyone-confirm', spellCheck: false } }}
            />
            <TextField label="Reason (optional, kept in the audit)" value={reason} onChange={(event) => setReason(event.target.value)} slotProps={{ htmlInput: { 'data-testid': 'sign-out-everyone-reason', maxLength: 500 } }} />
            <ErrorAlert error={action.error} title="Nothing was signed out" testId="sign-out-everyone-error" />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {receipt ? (
          <Button onClick={onClose} data-testid="sign-out-everyone-close">
            Close
          </Button>
        ) : (
          <>
            <Button onClick={onClose} data-testid="sign-out-everyone-cancel">
              Cancel
            </Button>
            <Button color="error" variant="contained" disabled={typed !== (whole ? EVERYONE : scope) || action.busy} onClick={() => void submit()} data-testid="sign-out-everyone-submit">
              Sign out {whole ? 'everyone' : `everyone on ${scope}`}
            </Button>
          </>
        )}
      </DialogActions>
    </>
  );
}
