import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import DeleteIcon from '@mui/icons-material/Delete';
import AddIcon from '@mui/icons-material/Add';
import { useState, type FormEvent } from 'react';
import type { UserDetail } from '../../../shared/dto';
import { attributeNameSchema, displayNameSchema, emailSchema, MAX_ATTRIBUTE_VALUE, MAX_ATTRIBUTES } from '../../../shared/user-profile';
import { api, useAction } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { fieldErrors } from '../../components/field-errors';

interface Props {
  open: boolean;
  user: UserDetail;
  onClose: () => void;
}

/** Edit display name, email and free attributes; each field says what is wrong with it as it is typed. */
export function EditUserDialog({ open, user, onClose }: Props) {
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="edit-user-dialog" aria-labelledby="edit-user-title">
      {open && <EditUserForm user={user} onClose={onClose} />}
    </Dialog>
  );
}

interface Row {
  key: number;
  name: string;
  value: string;
}

/** The first message of a schema's refusal, or undefined when the value passes. */
function problem(schema: { safeParse: (v: unknown) => { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error?.issues[0]?.message;
}

function EditUserForm({ user, onClose }: Omit<Props, 'open'>) {
  const [displayName, setDisplayName] = useState(user.displayName ?? '');
  const [email, setEmail] = useState(user.email ?? '');
  const [rows, setRows] = useState<Row[]>(() => Object.entries(user.attributes).map(([name, value], key) => ({ key, name, value })));
  const [nextKey, setNextKey] = useState(rows.length);
  const [save, state] = useAction(api.updateUser);
  const server = fieldErrors(state.error, ['displayName', 'email', 'attributes'] as const);

  const nameError = displayName.trim() === '' ? undefined : problem(displayNameSchema, displayName);
  const emailError = email.trim() === '' ? undefined : problem(emailSchema, email.trim());
  const rowErrors = rows.map((row, i) =>
    row.name === '' ? 'Give the attribute a name, or remove it.'
      : rows.findIndex((other) => other.name === row.name) !== i ? 'This name is already used above.'
        : problem(attributeNameSchema, row.name) ?? (row.value.length > MAX_ATTRIBUTE_VALUE ? `At most ${MAX_ATTRIBUTE_VALUE} characters.` : undefined),
  );
  const invalid = nameError !== undefined || emailError !== undefined || rowErrors.some((e) => e !== undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    const saved = await save({
      userId: user.id,
      displayName: displayName.trim() === '' ? null : displayName.trim(),
      email: email.trim() === '' ? null : email.trim(),
      attributes: Object.fromEntries(rows.map((row) => [row.name, row.value])),
    });
    if (saved) onClose();
  };
  const setRow = (key: number, patch: Partial<Row>) => setRows((all) => all.map((row) => (row.key === key ? { ...row, ...patch } : row)));

  return (
    <form onSubmit={(event) => void submit(event)} noValidate>
      <DialogTitle id="edit-user-title">Edit {user.username}</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <TextField
            label="Display name"
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
            autoFocus
            error={(nameError ?? server.fields.displayName) !== undefined}
            helperText={nameError ?? server.fields.displayName ?? 'Leave empty for none'}
            slotProps={{ htmlInput: { 'data-testid': 'edit-user-display-name' } }}
          />
          <TextField
            label="Email"
            type="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            error={(emailError ?? server.fields.email) !== undefined}
            helperText={emailError ?? server.fields.email ?? 'Leave empty for none'}
            slotProps={{ htmlInput: { 'data-testid': 'edit-user-email' } }}
          />
          <Typography variant="subtitle2" component="h3">
            Attributes
          </Typography>
          {rows.length === 0 && <Typography variant="body2" color="text.secondary">None. Attributes are name and text pairs (team, cost center, …).</Typography>}
          {rows.map((row, i) => (
            <Stack key={row.key} direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
              <TextField
                label="Name"
                size="small"
                value={row.name}
                onChange={(event) => setRow(row.key, { name: event.target.value })}
                error={rowErrors[i] !== undefined}
                helperText={rowErrors[i] ?? ' '}
                slotProps={{ htmlInput: { 'data-testid': `edit-user-attribute-name-${i}` } }}
              />
              <TextField
                label="Value"
                size="small"
                value={row.value}
                onChange={(event) => setRow(row.key, { value: event.target.value })}
                sx={{ flex: 1 }}
                helperText=" "
                slotProps={{ htmlInput: { 'data-testid': `edit-user-attribute-value-${i}` } }}
              />
              <IconButton aria-label={`Remove attribute ${row.name || i + 1}`} onClick={() => setRows((all) => all.filter((r) => r.key !== row.key))} data-testid={`edit-user-attribute-remove-${i}`}>
                <DeleteIcon />
              </IconButton>
            </Stack>
          ))}
          <Button
            startIcon={<AddIcon />}
            onClick={() => {
              setRows((all) => [...all, { key: nextKey, name: '', value: '' }]);
              setNextKey((k) => k + 1);
            }}
            disabled={rows.length >= MAX_ATTRIBUTES}
            sx={{ alignSelf: 'flex-start' }}
            data-testid="edit-user-attribute-add"
          >
            Add attribute
          </Button>
          {server.fields.attributes && <ErrorAlert error={state.error} title="The attributes were refused" testId="edit-user-attributes-error" />}
          {server.general !== null && <ErrorAlert error={state.error} title="The changes were not saved" testId="edit-user-error" />}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="edit-user-cancel">
          Cancel
        </Button>
        <Button type="submit" variant="contained" disabled={state.busy || invalid} data-testid="edit-user-submit">
          {state.busy ? 'Saving…' : 'Save'}
        </Button>
      </DialogActions>
    </form>
  );
}
