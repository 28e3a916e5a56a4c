import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { DOMAIN_EVENT_TYPES } from '../../../shared/events';
import { fromLocalInput, toLocalInput } from '../../lib/time';

/** What the administrator typed; resolved into listAudit input by the page. */
export interface AuditFilterValues {
  actor: string;
  /** A username or a user id. */
  user: string;
  type: string;
  since: number | undefined;
  until: number | undefined;
}

export const NO_FILTERS: AuditFilterValues = { actor: '', user: '', type: '', since: undefined, until: undefined };

interface Props {
  value: AuditFilterValues;
  onChange: (next: AuditFilterValues) => void;
}

/** Actor, user, event type and time range; all applied on the server. */
export function AuditFilters({ value, onChange }: Props) {
  const set = (patch: Partial<AuditFilterValues>) => onChange({ ...value, ...patch });
  const active = value.actor !== '' || value.user !== '' || value.type !== '' || value.since !== undefined || value.until !== undefined;
  return (
    <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: 'wrap', mb: 2, alignItems: 'center' }}>
      <TextField
        label="Actor"
        size="small"
        value={value.actor}
        onChange={(event) => set({ actor: event.target.value })}
        placeholder="admin:console, system…"
        title="Exact actor, e.g. admin:console, system, user:<id>, client:<id>"
        sx={{ width: 170 }}
        slotProps={{ htmlInput: { 'data-testid': 'audit-filter-actor' } }}
      />
      <TextField
        label="User"
        size="small"
        value={value.user}
        onChange={(event) => set({ user: event.target.value })}
        placeholder="username or user id"
        sx={{ width: 170 }}
        slotProps={{ htmlInput: { 'data-testid': 'audit-filter-user' } }}
      />
      <TextField
        select
        label="Event type"
        size="small"
        value={value.type}
        onChange={(event) => set({ type: event.target.value })}
        sx={{ width: 230 }}
        slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'audit-filter-type' } as Record<string, string> } }}
      >
        <MenuItem value="">All types</MenuItem>
        {DOMAIN_EVENT_TYPES.map((type) => (
          <MenuItem key={type} value={type} data-testid={`audit-filter-type-${type}`}>
            {type}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        label="From"
        type="datetime-local"
        size="small"
        value={toLocalInput(value.since)}
        onChange={(event) => set({ since: fromLocalInput(event.target.value) })}
        sx={{ width: 215 }}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-filter-since' } }}
      />
      <TextField
        label="To"
        type="datetime-local"
        size="small"
        value={toLocalInput(value.until)}
        onChange={(event) => set({ until: fromLocalInput(event.target.value) })}
        sx={{ width: 215 }}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'audit-filter-until' } }}
      />
      {active && (
        <Button onClick={() => onChange(NO_FILTERS)} data-testid="audit-filter-clear">
          Clear filters
        </Button>
      )}
    </Stack>
  );
}
