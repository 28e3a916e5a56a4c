import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import MenuItem from '@mui/material/MenuItem';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { ClientInfo } from '../../../shared/dto';
import { clientKindSchema, signingAlgSchema } from '../../../shared/dto';
import { api, useAction } from '../../api';
import {
  clientFieldErrors, createInput, describeSeconds, emptyForm, formOf, GRANT_LABELS, GRANT_ORDER, ID_TOKEN_ALGS, LIFETIME_FIELDS, LIFETIME_LABELS,
  lifetimeProblems, updateInput, uriLines, withGrant, type ClientForm,
} from './client-form';

type Props =
  | { mode: 'create'; open: boolean; onClose: () => void; onSaved: (result: { clientId: string; clientSecret?: string }) => void }
  | { mode: 'edit'; client: ClientInfo | null; onClose: () => void; onSaved: (client: ClientInfo) => void };

/**
 * Create a client, or edit one's registration: its name, the exact redirect and post-logout URIs, the
 * back-channel logout URI, the grants it may use and its ID tokens' algorithm. The server's validation
 * shows under the field it concerns. Test ids start with `create-client-` or `edit-client-`.
 */
export function ClientDialog(props: Props) {
  const open = props.mode === 'create' ? props.open : props.client !== null;
  const prefix = props.mode === 'create' ? 'create-client' : 'edit-client';
  return (
    <Dialog open={open} onClose={props.onClose} maxWidth="sm" fullWidth data-testid={`${prefix}-dialog`}>
      {open && <ClientFormView {...props} prefix={prefix} />}
    </Dialog>
  );
}

function ClientFormView(props: Props & { prefix: string }) {
  const { prefix } = props;
  const editing = props.mode === 'edit';
  const [form, setForm] = useState<ClientForm>(() => (props.mode === 'edit' && props.client ? formOf(props.client) : emptyForm()));
  const [sent, setSent] = useState<{ redirectUris?: string[]; postLogoutRedirectUris?: string[] }>({});
  const [create, createState] = useAction(api.createClient);
  const [update, updateState] = useAction(api.updateClient);
  const state = editing ? updateState : createState;
  const [localProblems, setLocalProblems] = useState<ReturnType<typeof lifetimeProblems>>({});
  const serverErrors = clientFieldErrors(state.error, sent);
  const errors = { ...serverErrors, fields: { ...serverErrors.fields, ...localProblems } };
  const set = <K extends keyof ClientForm>(key: K, value: ClientForm[K]) => setForm((current) => ({ ...current, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = lifetimeProblems(form);
    setLocalProblems(problems);
    if (Object.keys(problems).length > 0) return;
    setSent({ redirectUris: uriLines(form.redirectUris), postLogoutRedirectUris: uriLines(form.postLogoutRedirectUris) });
    if (props.mode === 'create') {
      const result = await create(createInput(form));
      if (result) props.onSaved(result);
    } else {
      const result = await update(updateInput(form));
      if (result) props.onSaved(result);
    }
  };

  const helper = (field: keyof typeof errors.fields, hint: ReactNode, testId: string) => (
    <span data-testid={`${prefix}-${testId}-help`}>{errors.fields[field] ?? hint}</span>
  );

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle>{editing ? `Edit ${form.clientId}` : 'Create client'}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Client id"
            value={form.clientId}
            onChange={(event) => set('clientId', event.target.value)}
            required
            autoFocus={!editing}
            disabled={editing}
            error={errors.fields.clientId !== undefined}
            helperText={helper('clientId', editing ? 'A client id never changes' : 'Letters, digits and . _ - (sent as client_id)', 'id')}
            slotProps={{ htmlInput: { 'data-testid': `${prefix}-id` } }}
          />
          <TextField
            label="Name"
            value={form.name}
            onChange={(event) => set('name', event.target.value)}
            required
            autoFocus={editing}
            error={errors.fields.name !== undefined}
            helperText={helper('name', 'Shown on the sign-in page', 'name')}
            slotProps={{ htmlInput: { 'data-testid': `${prefix}-name` } }}
          />
          {!editing && (
            <div>
              <FormLabel id={`${prefix}-kind-label`}>Kind</FormLabel>
              <RadioGroup
                aria-labelledby={`${prefix}-kind-label`}
                value={form.kind}
                onChange={(event) => {
                  const kind = clientKindSchema.parse(event.target.value);
                  setForm((current) => ({ ...current, kind, grantTypes: kind === 'confidential' ? withGrant(current.grantTypes, 'password', false) : current.grantTypes }));
                }}
              >
                <FormControlLabel
                  value="public"
                  control={<Radio slotProps={{ input: { 'data-testid': `${prefix}-kind-public` } as Record<string, string> }} />}
                  label="Public — browser or native app, no secret (refresh tokens rotate)"
                />
                <FormControlLabel
                  value="confidential"
                  control={<Radio slotProps={{ input: { 'data-testid': `${prefix}-kind-confidential` } as Record<string, string> }} />}
                  label="Confidential — runs on a server, authenticates with a secret"
                />
              </RadioGroup>
            </div>
          )}
          <TextField
            label="Redirect URIs"
            value={form.redirectUris}
            onChange={(event) => set('redirectUris', event.target.value)}
            multiline
            minRows={2}
            error={errors.fields.redirectUris !== undefined}
            helperText={helper('redirectUris', 'One per line, matched exactly: https, or http on 127.0.0.1, [::1] or localhost; no # or *', 'redirect-uris')}
            slotProps={{ htmlInput: { 'data-testid': `${prefix}-redirect-uris`, spellCheck: false } }}
          />
          <TextField
            label="Post-logout redirect URIs"
            value={form.postLogoutRedirectUris}
            onChange={(event) => set('postLogoutRedirectUris', event.target.value)}
            multiline
            minRows={1}
            error={errors.fields.postLogoutRedirectUris !== undefined}
            helperText={helper('postLogoutRedirectUris', 'Where logout may return to; one per line, same rules', 'post-logout-uris')}
            slotProps={{ htmlInput: { 'data-testid': `${prefix}-post-logout-uris`, spellCheck: false } }}
          />
          <TextField
            label="Back-channel logout URI"
            value={form.backchannelLogoutUri}
            onChange={(event) => set('backchannelLogoutUri', event.target.value)}
            error={errors.fields.backchannelLogoutUri !== undefined}
            helperText={helper('backchannelLogoutUri', 'Receives a logout token whenever one of its sessions ends; empty: none', 'backchannel-uri')}
            slotProps={{ htmlInput: { 'data-testid': `${prefix}-backchannel-uri`, spellCheck: false } }}
          />
          <FormControl error={errors.fields.grantTypes !== undefined} component="fieldset">
            <FormLabel component="legend">Grants</FormLabel>
            <FormGroup>
              {GRANT_ORDER.map((grant) => (
                <FormControlLabel
                  key={grant}
                  label={GRANT_LABELS[grant]}
                  control={
                    <Checkbox
                      checked={form.grantTypes.includes(grant)}
                      disabled={grant === 'password' && form.kind === 'confidential'}
                      onChange={(event) => set('grantTypes', withGrant(form.grantTypes, grant, event.target.checked))}
                      slotProps={{ input: { 'data-testid': `${prefix}-grant-${grant}` } as Record<string, string> }}
                    />
                  }
                />
              ))}
            </FormGroup>
            <FormHelperText>{helper('grantTypes', 'New clients sign in with the authorization code flow; the password grant is off unless ticked', 'grants')}</FormHelperText>
          </FormControl>
          <TextField
            select
            label="ID token algorithm"
            value={form.idTokenSignedResponseAlg}
            onChange={(event) => set('idTokenSignedResponseAlg', signingAlgSchema.parse(event.target.value))}
            error={errors.fields.idTokenSignedResponseAlg !== undefined}
            helperText={helper('idTokenSignedResponseAlg', 'RS256 unless the app asks for another', 'id-token-alg')}
            slotProps={{ select: { SelectDisplayProps: { 'data-testid': `${prefix}-id-token-alg` } as Record<string, string> } }}
          >
            {ID_TOKEN_ALGS.map((alg) => (
              <MenuItem key={alg} value={alg} data-testid={`${prefix}-id-token-alg-${alg}`}>
                {alg}
              </MenuItem>
            ))}
          </TextField>
          <FormControl component="fieldset">
            <FormLabel component="legend">Token lifetimes for this client</FormLabel>
            <FormHelperText sx={{ mx: 0 }}>
              Empty: the install setting (Settings). They apply to every session of this client, remember-me or not; an access
              token is never longer than the install&apos;s.
            </FormHelperText>
            {/* One per line: in a row their labels would be cut at the dialog's width. */}
            <Stack spacing={2} sx={{ mt: 1.5 }}>
              {LIFETIME_FIELDS.map((field) => (
                <TextField
                  key={field}
                  label={LIFETIME_LABELS[field]}
                  value={form[field]}
                  onChange={(event) => {
                    set(field, event.target.value);
                    // A problem found here is about what was typed: it goes with the next keystroke.
                    setLocalProblems(({ [field]: _gone, ...rest }) => rest);
                  }}
                  error={errors.fields[field] !== undefined}
                  helperText={helper(field, describeSeconds(form[field]) ?? 'Install setting', `lifetime-${field}`)}
                  slotProps={{ htmlInput: { 'data-testid': `${prefix}-${field}`, inputMode: 'numeric' } }}
                />
              ))}
            </Stack>
          </FormControl>
          {state.error && errors.general !== null && (
            <Alert severity="error" data-testid={`${prefix}-error`} data-error-code={state.error.code}>
              {errors.general} <code>({state.error.code})</code>
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} data-testid={`${prefix}-cancel`}>
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy} data-testid={`${prefix}-submit`}>
          {editing ? 'Save' : 'Create'}
        </Button>
      </DialogActions>
    </form>
  );
}
