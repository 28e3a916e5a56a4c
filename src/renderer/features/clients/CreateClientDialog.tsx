import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import { clientKindSchema, type ClientKind } from '../../../shared/dto';
import { api, useAction } from '../../api';
import Alert from '@mui/material/Alert';
import { fieldErrors } from '../../components/field-errors';

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: (result: { clientId: string; clientSecret?: string }) => void;
}

/** A new OAuth client: public (a SPA or native app, no secret) or confidential (a server, gets a secret). */
export function CreateClientDialog({ open, onClose, onCreated }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xs" fullWidth data-testid="create-client-dialog">
      {open && <CreateClientForm onClose={onClose} onCreated={onCreated} />}
    </Dialog>
  );
}

function CreateClientForm({ onClose, onCreated }: Omit<Props, 'open'>) {
  const [clientId, setClientId] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ClientKind>('public');
  const [create, state] = useAction(api.createClient);
  const errors = fieldErrors(state.error, ['clientId', 'name', 'kind'] as const);
  const idError = errors.fields.clientId ?? (state.error?.code === 'conflict' ? state.error.message : undefined);
  const general = state.error?.code === 'conflict' ? null : errors.general;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await create({ clientId: clientId.trim(), name: name.trim(), kind });
    if (result) onCreated(result);
  };

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle>Create client</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Client id"
            value={clientId}
            onChange={(event) => setClientId(event.target.value)}
            required
            autoFocus
            error={idError !== undefined}
            helperText={<span data-testid="create-client-id-help">{idError ?? 'Letters, digits and . _ - (sent as client_id)'}</span>}
            slotProps={{ htmlInput: { 'data-testid': 'create-client-id' } }}
          />
          <TextField
            label="Name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            error={errors.fields.name !== undefined}
            helperText={errors.fields.name}
            slotProps={{ htmlInput: { 'data-testid': 'create-client-name' } }}
          />
          <div>
            <FormLabel id="create-client-kind-label">Kind</FormLabel>
            <RadioGroup
              aria-labelledby="create-client-kind-label"
              value={kind}
              onChange={(event) => setKind(clientKindSchema.parse(event.target.value))}
            >
              <FormControlLabel
                value="public"
                control={<Radio slotProps={{ input: { 'data-testid': 'create-client-kind-public' } as Record<string, string> }} />}
                label="Public — browser or native app, no secret (refresh tokens rotate)"
              />
              <FormControlLabel
                value="confidential"
                control={<Radio slotProps={{ input: { 'data-testid': 'create-client-kind-confidential' } as Record<string, string> }} />}
                label="Confidential — runs on a server, authenticates with a secret"
              />
            </RadioGroup>
          </div>
          {state.error && general !== null && (
            <Alert severity="error" data-testid="create-client-error" data-error-code={state.error.code}>
              {general} <code>({state.error.code})</code>
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="create-client-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy} data-testid="create-client-submit">
          Create
        </Button>
      </DialogActions>
    </form>
  );
}
